"""The offline Bicep evaluator reads expressions as Bicep does, not as pycep's flat grammar nests them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.infra.bicep_eval import BicepError, Deployment, Scope, azd_parameters

CASES = [
    ("days > 0 ? days * 86400 : -1", 7776000),
    ("zero > 0 ? zero * 86400 : -1", -1),
    ("!empty(blank) && !empty(name)", False),
    ("!empty(name) && !empty(name)", True),
    ("!(empty(blank) && empty(name))", True),
    ("10 - 4 - 3", 3),
    ("(10 - 4) * 2 + 1", 13),
    ("2 + 3 * 4 == 14 || false", True),
    ("obj.flag ? 'yes' : 'no'", "yes"),
    ("obj.list[1].n == 2 ? obj.list[0].n : 0", 1),
    ("'${name}-${string(days)}'", "api-90"),
    ("'it\\'s ${toLower(name)}'", "it's api"),
    ("blank ?? name", ""),
    ("union(obj, { extra: true }).extra", True),
    ("[for (item, i) in obj.list: item.n * i]", [0, 2]),
    ("string([{ a: 1 }])", '[{"a":1}]'),
]

TEMPLATE = """
param days int = 90
param zero int = 0
param name string = 'api'
param blank string = ''
var obj = {
  flag: true
  list: [
    {
      n: 1
    }
    {
      n: 2
    }
  ]
}
var result = EXPRESSION
"""


def _evaluate(expression: str, tmp_path: Path) -> object:
    path = tmp_path / "case.bicep"
    path.write_text(TEMPLATE.replace("EXPRESSION", expression))
    return Deployment(path, {}, Scope("rg-test")).variable("result")


@pytest.mark.parametrize(("expression", "expected"), CASES)
def test_expressions_follow_bicep_precedence(expression: str, expected: object, tmp_path: Path) -> None:
    assert _evaluate(expression, tmp_path) == expected


def test_unknown_functions_and_missing_parameters_raise(tmp_path: Path) -> None:
    with pytest.raises(BicepError, match="function utc_now"):
        _evaluate("utcNow()", tmp_path)
    path = tmp_path / "required.bicep"
    path.write_text("@minLength(1)\nparam audience string\noutput a string = audience\n")
    with pytest.raises(BicepError, match="audience has no value"):
        Deployment(path, {}, Scope("rg-test"))
    with pytest.raises(BicepError, match="shorter than 1"):
        Deployment(path, {"audience": ""}, Scope("rg-test"))


def test_azd_substitution_types_values_and_prompts_for_required_ones(tmp_path: Path) -> None:
    template = tmp_path / "main.bicep"
    template.write_text("param count int = 1\nparam on bool = false\nparam label string = 'x'\nparam must string\n")
    parameters = tmp_path / "main.parameters.json"
    parameters.write_text(
        '{"parameters": {"count": {"value": "${COUNT=3}"}, "on": {"value": "${ON=true}"},'
        ' "label": {"value": "${LABEL=}"}, "must": {"value": "${MUST}"}}}'
    )
    assert azd_parameters(template, parameters, {"MUST": "m"}) == {"count": 3, "on": True, "must": "m"}
    assert azd_parameters(template, parameters, {"MUST": "m", "COUNT": "7", "ON": "False"})["count"] == 7
    with pytest.raises(BicepError, match="prompts for must"):
        azd_parameters(template, parameters, {})
