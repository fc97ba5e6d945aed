#!/usr/bin/env node
// Local Cosmos DB (NoSQL API) for the dev stack and the tests: @vercel/cosmosdb-server behind an
// HTTPS listener with keep-alive, answering a read of a missing item with 404 as real Cosmos does.
"use strict";

const { createHttpsServer } = require("@vercel/cosmosdb-server");

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
};
const host = option("--host", "127.0.0.1");
const port = parseInt(option("--port", "8081"), 10);

const DOCUMENT_PATH = /^\/dbs\/[^/]+\/colls\/[^/]+\/docs\/[^/?]+\/?(\?.*)?$/;
const NOT_FOUND = JSON.stringify({
  code: "NotFound",
  message: "Entity with the specified id does not exist in the system.",
});

// The server answers 500 when a point read finds no item; every other status is passed through.
function mapMissingItemTo404(req, res) {
  if (req.method !== "GET" || !DOCUMENT_PATH.test(req.url)) return;
  const end = res.end.bind(res);
  res.end = (chunk, ...rest) => {
    if (res.statusCode === 500) {
      res.statusCode = 404;
      res.setHeader("x-ms-substatus", "0");
      return end(NOT_FOUND, ...rest.filter((r) => typeof r === "function"));
    }
    return end(chunk, ...rest);
  };
}

const quietErrors = console.error;
console.error = (...items) => {
  const first = items[0];
  if (first instanceof Error && /not found|undefined/i.test(first.message)) return;
  quietErrors(...items);
};

const server = createHttpsServer({ keepAlive: true, keepAliveTimeout: 60000 });
const [handler] = server.listeners("request");
server.removeAllListeners("request");
server.on("request", (req, res) => {
  mapMissingItemTo404(req, res);
  handler(req, res);
});
server.keepAliveTimeout = 60000;
server.headersTimeout = 65000;

server.listen(port, host, () => {
  const address = server.address();
  console.log(`cosmos-emulator listening on https://${host}:${address.port}`);
});

const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
