"""The simulator's `pause` fault: a stream stops after a known number of events until resumed."""

from __future__ import annotations

import asyncio

import aiohttp
import openai

from devhost.simulators.aoai import FaultSpec, SimulatorConfig, start_simulator


async def test_a_paused_stream_sends_its_first_events_and_the_rest_once_resumed() -> None:
    sim = await start_simulator(config=SimulatorConfig(api_key="k"))
    try:
        sim.queue_faults(FaultSpec(kind="pause", after_chunks=3))
        client = openai.AsyncOpenAI(base_url=sim.url + "/v1", api_key="k", max_retries=0)
        stream = await client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "[[sim:reply:one two three four]]"}], stream=True
        )
        received = [await anext(stream) for _ in range(3)]  # the role chunk and two words
        early = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0)
        assert not early.done() and sim.state.stats.completed == 0, "nothing more until resumed"
        async with aiohttp.ClientSession() as session, session.post(sim.url + "/_sim/resume") as answer:
            assert answer.status == 200
        received.append(await asyncio.wait_for(early, 60))
        received += [chunk async for chunk in stream]
        text = "".join(chunk.choices[0].delta.content or "" for chunk in received if chunk.choices)
        assert text == "one two three four" and received[-1].choices[0].finish_reason == "stop"
        assert sim.state.stats.faults_applied["pause"] == 1 and sim.state.stats.completed == 1
        await client.close()
    finally:
        await sim.stop()
