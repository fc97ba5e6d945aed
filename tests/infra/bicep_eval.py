"""Evaluates our Bicep offline, as ARM would for given parameters, from pycep-parser's syntax tree.

Literals, parameters, variables, loops, conditions, modules and the functions our templates call are
evaluated; what only exists once Azure has created a resource (endpoints, ids, client ids) becomes a
stable placeholder of the right shape. Anything else raises, so a template the evaluator does not
understand fails the tests instead of passing them unread.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from lark import Lark
from pycep.main import LARK_GRAMMAR
from pycep.models import BicepElement
from pycep.transformer import BicepToJson

SUBSCRIPTION_ID = "00000000-0000-0000-0000-00000000a5b5"
TENANT_ID = "00000000-0000-0000-0000-0000000074e1"
ENVIRONMENT = {
    "name": "AzureCloud",
    "authentication": {"loginEndpoint": "https://login.microsoftonline.com/"},
    "suffixes": {"storage": "core.windows.net"},
}


class BicepError(Exception):
    """The template is invalid for these parameters, or uses what the evaluator does not know."""


# pycep's grammar drops parentheses and reads every operator chain right-associatively with equal
# precedence (`x > 0 ? a : b` becomes `x > (0 ? a : b)`). Parentheses are kept as `{"paren": ...}`
# here, and `_Climber` re-associates operator chains with Bicep's precedence before evaluating them.
_GRAMMAR = LARK_GRAMMAR.replace(
    '?value_brackets: (value | "(" value ")") "!"?', '?value_brackets: (value | paren) "!"?\nparen: "(" value ")"'
)


class _Transformer(BicepToJson):
    def paren(self, args: list[Any]) -> dict[str, Any]:
        return {"paren": args[0]}


@cache
def _lark() -> Lark:
    return Lark(grammar=_GRAMMAR, parser="lalr", propagate_positions=True, regex=True)


def _parse_text(text: str) -> dict[str, Any]:
    tree: Any = _Transformer(add_line_numbers=False).transform(_lark().parse(text))
    return dict(tree)


@cache
def parse(path: Path) -> dict[str, Any]:
    return _parse_text(path.read_text())


@cache
def _parse_expression(text: str) -> Any:
    return _parse_text(f"var v = {text}\n")["variables"]["v"]["value"]


def _stable_uuid(*parts: str) -> str:
    return str(uuid.UUID(hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]))


@dataclass(frozen=True)
class Scope:
    """Where a template deploys: the subscription, or one resource group in it."""

    resource_group: str | None = None
    location: str = "swedencentral"

    def as_object(self) -> dict[str, Any]:
        if self.resource_group is None:
            raise BicepError("resourceGroup() in a subscription-scope template")
        rg_id = f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{self.resource_group}"
        return {"name": self.resource_group, "id": rg_id, "location": self.location}


@dataclass
class ResourceRef:
    """A resource symbol (or one loop instance of it): its declared config and runtime placeholders."""

    deployment: Deployment
    symbol: str
    type: str
    existing: bool
    config: dict[str, Any]
    loop_scope: dict[str, Any] = field(default_factory=dict)

    def value(self, key: str) -> Any:
        return self.deployment.evaluate(self.config.get(key), self.loop_scope)

    @property
    def name(self) -> str:
        return str(self.value("name"))

    @property
    def id(self) -> str:
        if self.type == "Microsoft.Resources/resourceGroups":
            return f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{self.name}"
        group = self.deployment.scope.resource_group or "?"
        return f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{group}/providers/{self.type}/{self.name}"

    def runtime(self, path: list[Any]) -> Any:
        """A property only Azure knows: shaped like the real one so settings models accept it."""
        dotted = ".".join(str(step) for step in path)
        if dotted in _RUNTIME_PLACEHOLDERS:
            return _RUNTIME_PLACEHOLDERS[dotted](self)
        return f"<{self.type}/{self.name}:{dotted}>"

    def properties(self) -> dict[str, Any]:
        evaluated = self.value("properties")
        return evaluated if isinstance(evaluated, dict) else {}

    def tags(self) -> dict[str, Any]:
        evaluated = self.value("tags")
        return evaluated if isinstance(evaluated, dict) else {}


@dataclass
class ModuleRef:
    """A module instance: the nested deployment its evaluated params describe."""

    parent: Deployment
    symbol: str
    config: dict[str, Any]
    loop_scope: dict[str, Any] = field(default_factory=dict)
    _child: Deployment | None = None

    @property
    def child(self) -> Deployment:
        if self._child is None:
            path = (self.parent.path.parent / self.parent.tree["modules"][self.symbol]["detail"]["path"]).resolve()
            params = self.parent.evaluate(self.config.get("params", {}), self.loop_scope)
            scope_value = self.parent.evaluate(self.config.get("scope"), self.loop_scope)
            self._child = Deployment(path, params, self._scope(scope_value))
        return self._child

    def _scope(self, value: Any) -> Scope:
        parent_scope = self.parent.scope
        if value is None:
            return parent_scope
        if isinstance(value, ResourceRef) and value.type == "Microsoft.Resources/resourceGroups":
            return Scope(value.name, str(value.value("location")))
        if isinstance(value, dict) and value.get("name"):
            return Scope(str(value["name"]), parent_scope.location)
        raise BicepError(f"module {self.symbol}: invalid scope {value!r}")


class Deployment:
    """One template evaluated for one set of parameter values."""

    def __init__(self, path: Path, params: dict[str, Any], scope: Scope) -> None:
        self.path = path
        self.tree = parse(path)
        self.scope = scope
        self._given = params
        self._values: dict[str, Any] = {}
        self._evaluating: set[str] = set()
        declared = self.tree.get("parameters", {})
        unknown = set(params) - set(declared)
        if unknown:
            raise BicepError(f"{path.name}: unknown parameters {sorted(unknown)}")
        for name in declared:
            self.param(name)

    # ---------- symbols ----------

    def param(self, name: str) -> Any:
        key = f"param:{name}"
        if key not in self._values:
            spec = self.tree["parameters"][name]
            if name in self._given:
                value = self._given[name]
            elif spec.get("default") is not None:
                value = self.evaluate(spec["default"])
            else:
                raise BicepError(f"{self.path.name}: parameter {name} has no value")
            self._check_decorators(name, spec, value)
            self._values[key] = value
        return self._values[key]

    def _check_decorators(self, name: str, spec: dict[str, Any], value: Any) -> None:
        where = f"{self.path.name}: parameter {name}={value!r}"
        for decorator in spec.get("decorators", []):
            kind, argument = decorator.get("type"), decorator.get("argument")
            if kind == "allowed" and value not in [self.evaluate(item) for item in argument]:
                raise BicepError(f"{where} is not one of {argument}")
            if kind == "min_value" and value < argument:
                raise BicepError(f"{where} is below {argument}")
            if kind == "max_value" and value > argument:
                raise BicepError(f"{where} is above {argument}")
            if kind == "min_length" and len(value) < argument:
                raise BicepError(f"{where} is shorter than {argument}")
            if kind == "max_length" and len(value) > argument:
                raise BicepError(f"{where} is longer than {argument}")

    def variable(self, name: str) -> Any:
        key = f"var:{name}"
        if key not in self._values:
            if key in self._evaluating:
                raise BicepError(f"{self.path.name}: variable {name} refers to itself")
            self._evaluating.add(key)
            self._values[key] = self.evaluate(self.tree["variables"][name]["value"])
            self._evaluating.discard(key)
        return self._values[key]

    def output(self, name: str) -> Any:
        return self.evaluate(self.tree["outputs"][name]["value"])

    def outputs(self) -> dict[str, Any]:
        return {name: self.output(name) for name in self.tree.get("outputs", {})}

    def _instances(self, kind: str, symbol: str) -> list[Any]:
        """Deployed instances of a resource or module symbol: loops expanded, false conditions dropped."""
        key = f"{kind}:{symbol}"
        if key in self._values:
            return list(self._values[key])
        declaration = self.tree[kind][symbol]
        config = declaration["config"]
        instances: list[Any] = []
        if "loop_type" in config:
            condition, body = config.get("condition"), config["config"]
        elif set(config) == {"condition", "config"}:
            condition, body = config["condition"], config["config"]
        else:
            condition, body = None, config
        for scope in self._loop_scopes(config):
            if condition is not None and not self.evaluate(condition, scope):
                continue
            if kind == "resources":
                existing = bool(declaration.get("existing"))
                instances.append(ResourceRef(self, symbol, declaration["type"], existing, body, scope))
            else:
                instances.append(ModuleRef(self, symbol, body, scope))
        self._values[key] = instances
        return instances

    def _loop_scopes(self, config: dict[str, Any]) -> Iterator[dict[str, Any]]:
        if "loop_type" not in config:
            yield {}
            return
        detail = config["loop_type"]["detail"]
        for index, item in enumerate(self._iterable(self.evaluate(detail["array_name"]))):
            scope = {detail["item_name"]: item}
            if "index_name" in detail:
                scope[detail["index_name"]] = index
            yield scope

    @staticmethod
    def _iterable(value: Any) -> list[Any]:
        if isinstance(value, list):
            return value
        raise BicepError(f"a for-expression over {value!r}")

    def resources(self) -> list[ResourceRef]:
        return [ref for symbol in self.tree.get("resources", {}) for ref in self._instances("resources", symbol)]

    def modules(self) -> list[ModuleRef]:
        return [ref for symbol in self.tree.get("modules", {}) for ref in self._instances("modules", symbol)]

    def walk(self) -> Iterator[tuple[Deployment, ResourceRef]]:
        """Every resource this deployment creates, nested modules included (not `existing` ones)."""
        for resource in self.resources():
            if not resource.existing:
                yield self, resource
        for module in self.modules():
            yield from module.child.walk()

    def module(self, symbol: str, index: int = 0) -> Deployment:
        instances = self._instances("modules", symbol)
        if len(instances) <= index:
            raise BicepError(f"{self.path.name}: module {symbol} is not deployed")
        module: ModuleRef = instances[index]
        return module.child

    def resource(self, symbol: str, index: int = 0) -> ResourceRef:
        instances = self._instances("resources", symbol)
        if len(instances) <= index:
            raise BicepError(f"{self.path.name}: resource {symbol} is not deployed")
        resource: ResourceRef = instances[index]
        return resource

    def _symbol(self, name: str, scope: dict[str, Any]) -> Any:
        if name in scope:
            return scope[name]
        tree = self.tree
        if name in tree.get("parameters", {}):
            return self.param(name)
        if name in tree.get("variables", {}):
            return self.variable(name)
        for kind in ("resources", "modules"):
            if name in tree.get(kind, {}):
                instances = self._instances(kind, name)
                declaration = tree[kind][name]["config"]
                if "loop_type" in declaration:
                    return instances
                if not instances:
                    return _NotDeployed(f"{self.path.name}: {name} (condition false)")
                return instances[0]
        raise BicepError(f"{self.path.name}: unknown symbol {name}")

    # ---------- expressions ----------

    def evaluate(self, node: Any, scope: dict[str, Any] | None = None) -> Any:
        scope = scope or {}
        if isinstance(node, BicepElement):
            return self._symbol(str(node), scope)
        if isinstance(node, str):
            return self._string(node, scope)
        if node is None or isinstance(node, bool | int):
            return node
        if isinstance(node, dict) and set(node) == {"paren"}:
            return self.evaluate(node["paren"], scope)
        if isinstance(node, list):
            return [self.evaluate(item, scope) for item in node]
        if isinstance(node, dict):
            if set(node) == {"operator"}:
                return self._operator(node["operator"], scope)
            if set(node) == {"function"}:
                return self._function(node["function"], scope)
            if "loop_type" in node:
                return [self.evaluate(node["config"], {**scope, **s}) for s in self._loop_scopes_in(node, scope)]
            return {_key(key): self.evaluate(value, scope) for key, value in node.items()}
        raise BicepError(f"{self.path.name}: cannot evaluate {node!r}")

    def _loop_scopes_in(self, node: dict[str, Any], scope: dict[str, Any]) -> Iterator[dict[str, Any]]:
        detail = node["loop_type"]["detail"]
        for index, item in enumerate(self._iterable(self.evaluate(detail["array_name"], scope))):
            inner = {detail["item_name"]: item}
            if "index_name" in detail:
                inner[detail["index_name"]] = index
            if node.get("condition") is None or self.evaluate(node["condition"], {**scope, **inner}):
                yield inner

    def _string(self, text: str, scope: dict[str, Any]) -> Any:
        out = []
        for kind, piece in _split_interpolation(text):
            if kind == "text":
                out.append(_unescape(piece))
            else:
                out.append(_to_text(self.evaluate(_parse_expression(piece), scope)))
        return "".join(out)

    def _operator(self, op: dict[str, Any], scope: dict[str, Any]) -> Any:
        return self._tree(_Climber(_flatten({"operator": op})).expression(), scope)

    def _tree(self, tree: tuple[Any, ...], scope: dict[str, Any]) -> Any:
        kind = tree[0]
        if kind == "atom":
            return self.evaluate(tree[1], scope)
        if kind == "cond":
            return self.evaluate(tree[2], scope) if self._tree(tree[1], scope) else self._tree(tree[3], scope)
        if kind == "not":
            return not self._tree(tree[1], scope)
        if kind == "neg":
            return -self._tree(tree[1], scope)
        if kind == "prop":
            return self._access(self._tree(tree[1], scope), tree[2])
        if kind == "index":
            return self._access(self._tree(tree[1], scope), self.evaluate(tree[2], scope))
        op, left_tree, right_tree = tree[1], tree[2], tree[3]
        left = self._tree(left_tree, scope)
        if op == "and":
            return bool(left) and bool(self._tree(right_tree, scope))
        if op == "or":
            return bool(left) or bool(self._tree(right_tree, scope))
        if op == "coalesce":
            return left if left is not None else self._tree(right_tree, scope)
        right = self._tree(right_tree, scope)
        binary: dict[str, Callable[[], Any]] = {
            "equals": lambda: left == right,
            "not_equals": lambda: left != right,
            "equals_case_insensitive": lambda: str(left).lower() == str(right).lower(),
            "not_equals_case_insensitive": lambda: str(left).lower() != str(right).lower(),
            "greater_than": lambda: left > right,
            "greater_than_or_equals": lambda: left >= right,
            "less_than": lambda: left < right,
            "less_than_or_equals": lambda: left <= right,
            "add": lambda: left + right,
            "substract": lambda: left - right,
            "multiply": lambda: left * right,
            "divide": lambda: left // right,
            "modulo": lambda: left % right,
        }
        return binary[op]()

    def _access(self, target: Any, key: Any) -> Any:
        if isinstance(target, _NotDeployed):
            raise BicepError(f"reads {target.what}")
        if isinstance(target, _Runtime):
            path = [*target.path, key]
            dotted = ".".join(map(str, path)) + "."
            if any(known.startswith(dotted) for known in _RUNTIME_PLACEHOLDERS):
                return _Runtime(target.resource, path)
            return target.resource.runtime(path)
        if isinstance(target, ResourceRef):
            if key in ("name", "id"):
                return getattr(target, key)
            if key == "properties":
                return _Runtime(target, [key])
            return target.value(key)
        if isinstance(target, ModuleRef):
            if key != "outputs":
                raise BicepError(f"module {target.symbol}.{key}")
            return target.child.outputs()
        try:
            return target[key]
        except (KeyError, IndexError, TypeError) as error:
            raise BicepError(f"{self.path.name}: no {key!r} in {target!r}") from error

    def _function(self, call: dict[str, Any], scope: dict[str, Any]) -> Any:
        name = call["type"]
        raw = call.get("parameters", {})
        if name == "load_json_content":
            return json.loads((self.path.parent / self.evaluate(raw["file_path"], scope)).read_text())
        if name == "resource_group":
            group = raw.get("resource_group_name")
            return self.scope.as_object() if group is None else {"name": self.evaluate(group, scope)}
        args = [self.evaluate(value, scope) for value in raw.values() if value is not None]
        if name in _FUNCTIONS:
            return _FUNCTIONS[name](self, *args)
        raise BicepError(f"{self.path.name}: function {name}() is not supported here")


@dataclass(frozen=True)
class _NotDeployed:
    what: str


def _key(key: str) -> str:
    return key[1:-1] if key.startswith("'") and key.endswith("'") else key


_PRECEDENCE = {
    "coalesce": 2, "or": 3, "and": 4,
    "equals": 5, "not_equals": 5, "equals_case_insensitive": 5, "not_equals_case_insensitive": 5,
    "greater_than": 6, "greater_than_or_equals": 6, "less_than": 6, "less_than_or_equals": 6,
    "add": 7, "substract": 7, "multiply": 8, "divide": 8, "modulo": 8,
}  # fmt: skip
_CONDITIONAL = 1


def _flatten(node: Any) -> list[tuple[str, Any]]:
    """The operator chain back in source order; parenthesised and delimited parts stay whole."""
    if isinstance(node, dict) and set(node) == {"paren"}:
        return [("atom", node["paren"])]
    op = node.get("operator") if isinstance(node, dict) and set(node) == {"operator"} else None
    if op is None:
        return [("atom", node)]
    kind, operands = op["type"], list(op["operands"].values())
    if kind in _PRECEDENCE:
        return [*_flatten(operands[0]), ("bin", kind), *_flatten(operands[1])]
    if kind == "conditional":
        return [*_flatten(operands[0]), ("?", operands[1]), *_flatten(operands[2])]
    if kind in ("not", "minus"):
        return [("not" if kind == "not" else "neg", None), *_flatten(operands[0])]
    if kind == "index_accessor":
        return [*_flatten(operands[0]), ("index", operands[1])]
    if kind == "property_accessor":
        right = _flatten(operands[1])
        first_kind, name = right[0]
        if first_kind != "atom" or not isinstance(name, BicepElement):
            raise BicepError(f"property access to {name!r}")
        return [*_flatten(operands[0]), ("prop", str(name)), *right[1:]]
    raise BicepError(f"operator {kind} is not supported here")


class _Climber:
    """Precedence climbing over a flattened chain: postfix, then prefix, then binary, then `?:`."""

    def __init__(self, tokens: list[tuple[str, Any]]) -> None:
        self.tokens, self.at = tokens, 0

    def _peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def expression(self, minimum: int = _CONDITIONAL) -> tuple[Any, ...]:
        left = self._unary()
        while (token := self._peek()) is not None:
            kind, value = token
            if kind == "bin" and _PRECEDENCE[value] >= minimum:
                self.at += 1
                left = ("bin", value, left, self.expression(_PRECEDENCE[value] + 1))
            elif kind == "?" and minimum <= _CONDITIONAL:
                self.at += 1
                left = ("cond", left, value, self.expression(_CONDITIONAL))
            else:
                break
        return left

    def _unary(self) -> tuple[Any, ...]:
        token = self._peek()
        if token is not None and token[0] in ("not", "neg"):
            self.at += 1
            return (token[0], self._unary())
        kind, value = self.tokens[self.at]
        if kind != "atom":
            raise BicepError(f"unexpected {kind} in an expression")
        self.at += 1
        tree: tuple[Any, ...] = ("atom", value)
        while (token := self._peek()) is not None and token[0] in ("prop", "index"):
            self.at += 1
            tree = (token[0], tree, token[1])
        return tree


_RUNTIME_PLACEHOLDERS: dict[str, Callable[[ResourceRef], str]] = {
    "properties.documentEndpoint": lambda r: f"https://{r.name}.documents.azure.com:443/",
    "properties.primaryEndpoints.blob": lambda r: f"https://{r.name}.blob.core.windows.net/",
    "properties.primaryEndpoints.queue": lambda r: f"https://{r.name}.queue.core.windows.net/",
    "properties.endpoint": lambda r: f"https://{r.name}.cognitiveservices.azure.com/",
    "properties.clientId": lambda r: _stable_uuid(r.id, "clientId"),
    "properties.principalId": lambda r: _stable_uuid(r.id, "principalId"),
    "properties.defaultHostName": lambda r: f"{r.name}.azurewebsites.net",
    "properties.ConnectionString": lambda r: (
        f"InstrumentationKey={_stable_uuid(r.id, 'ikey')};"
        f"IngestionEndpoint=https://{r.deployment.scope.location}.in.applicationinsights.azure.com/"
    ),
}


@dataclass(frozen=True)
class _Runtime:
    """A path into a resource's `properties`, resolved to a placeholder once fully read."""

    resource: ResourceRef
    path: list[Any]


def _split_interpolation(text: str) -> list[tuple[str, str]]:
    parts: list[tuple[str, str]] = []
    i, start = 0, 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith("${", i):
            parts.append(("text", text[start:i]))
            depth, j, quoted = 1, i + 2, False
            while depth:
                ch = text[j]
                if ch == "'":
                    quoted = not quoted
                elif not quoted and ch == "{":
                    depth += 1
                elif not quoted and ch == "}":
                    depth -= 1
                j += 1
            parts.append(("expr", text[i + 2 : j - 1]))
            i = start = j
            continue
        i += 1
    parts.append(("text", text[start:]))
    return parts


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)), text)


def _to_text(value: Any) -> str:
    """ARM's string(): JSON for objects and arrays, True/False for booleans."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    if value is None:
        return ""
    return str(value)


def _union(_: Deployment, *values: Any) -> Any:
    if all(isinstance(v, dict) for v in values):
        merged: dict[str, Any] = {}
        for value in values:
            merged.update(value)
        return merged
    merged_list: list[Any] = []
    for value in values:
        merged_list.extend(item for item in value if item not in merged_list)
    return merged_list


def _concat_arrays(arrays: tuple[list[Any], ...]) -> list[Any]:
    return [item for array in arrays for item in array]


def _unique_string(_: Deployment, *values: Any) -> str:
    return hashlib.sha256("|".join(map(str, values)).encode()).hexdigest()[:13]


def _resource_id(deployment: Deployment, *segments: Any, subscription: bool = False) -> str:
    rtype, names = segments[0], segments[1:]
    types = rtype.split("/")
    path = "/".join(f"{t}/{n}" for t, n in zip(types[1:], names, strict=False))
    prefix = f"/subscriptions/{SUBSCRIPTION_ID}"
    if not subscription:
        prefix += f"/resourceGroups/{deployment.scope.resource_group}"
    return f"{prefix}/providers/{types[0]}/{path}"


_FUNCTIONS: dict[str, Any] = {
    "empty": lambda _, v: v is None or len(v) == 0,
    "string": lambda _, v: _to_text(v),
    "int": lambda _, v: int(v),
    "bool": lambda _, v: v if isinstance(v, bool) else str(v).lower() == "true",
    "length": lambda _, v: len(v),
    "to_lower": lambda _, v: str(v).lower(),
    "to_upper": lambda _, v: str(v).upper(),
    "ends_with": lambda _, s, x: str(s).lower().endswith(str(x).lower()),
    "starts_with": lambda _, s, x: str(s).lower().startswith(str(x).lower()),
    "contains": lambda _, c, x: (x in c) if not isinstance(c, str) else str(x).lower() in c.lower(),
    "substring": lambda _, s, start, *n: s[start : start + n[0]] if n else s[start:],
    "take": lambda _, v, n: v[:n],
    "replace": lambda _, s, old, new: str(s).replace(old, new),
    "format": lambda _, f, *a: re.sub(r"\{(\d+)\}", lambda m: _to_text(a[int(m.group(1))]), f),
    "concat": lambda _, *v: "".join(map(_to_text, v)) if all(isinstance(x, str) for x in v) else _concat_arrays(v),
    "union": _union,
    "items": lambda _, o: [{"key": k, "value": v} for k, v in o.items()],
    "first": lambda _, v: v[0],
    "last": lambda _, v: v[-1],
    "json": lambda _, v: json.loads(v),
    "unique_string": _unique_string,
    "guid": lambda _, *v: _stable_uuid(*map(str, v)),
    "environment": lambda _: ENVIRONMENT,
    "tenant": lambda _: {"tenantId": TENANT_ID},
    "subscription": lambda _: {"id": f"/subscriptions/{SUBSCRIPTION_ID}", "subscriptionId": SUBSCRIPTION_ID},
    "resource_id": _resource_id,
    "subscription_resource_id": lambda d, *s: _resource_id(d, *s, subscription=True),
}


# ---------- azd ----------

_AZD_REFERENCE = re.compile(r"^\$\{([A-Z][A-Z0-9_]*)(?:=([^}]*))?\}$")


class AzdWouldPrompt(BicepError):
    """A required parameter has no value after substitution: `azd provision` prompts for it."""


def azd_parameters(template: Path, parameters_file: Path, env: dict[str, str]) -> dict[str, Any]:
    """What azd passes to the template: `${VAR=default}` substituted from the azd environment and
    typed like the Bicep parameter. An empty value for a parameter with a Bicep default is left out
    (Bicep's default applies); for a parameter without one azd would prompt."""
    declared = parse(template)["parameters"]
    values: dict[str, Any] = {}
    for name, entry in json.loads(parameters_file.read_text())["parameters"].items():
        match = _AZD_REFERENCE.match(entry["value"])
        if not match:
            raise BicepError(f"{name}: not an azd reference: {entry['value']!r}")
        raw = env.get(match.group(1)) or (match.group(2) or "")
        if raw == "":
            if declared[name].get("default") is None:
                raise AzdWouldPrompt(f"azd prompts for {name} ({match.group(1)} is not set)")
            continue
        kind = declared[name]["type"]
        values[name] = int(raw) if kind == "int" else raw.lower() == "true" if kind == "bool" else raw
    return values
