"""The audience language: what parses, what is refused, and how the error names the place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smsguard.cli.audience import read_definition
from smsguard.errors import InputError
from smsguard.targeting.language import (
    AllOf,
    CreditBandIs,
    NotOf,
    RegionIs,
    leaves,
    parse_audience,
)


def test_the_legacy_shapes_still_parse() -> None:
    everyone = parse_audience({"all": True})
    assert everyone.everyone and everyone.rank is None
    listed = parse_audience({"customer_ids": [3, 1]})
    assert listed.customer_ids == (3, 1) and listed.where is None


def test_a_tree_with_ranking_parses_at_the_top_level_or_under_where() -> None:
    tree = {"all": [{"credit_band": {"in": ["A", "B"]}}, {"not": {"region": {"in": ["11"]}}}]}
    top = parse_audience({**tree, "rank": {"by": "propensity", "limit": 10}})
    under = parse_audience({"where": tree, "rank": {"limit": 10}})
    assert top == under
    assert isinstance(top.where, AllOf) and isinstance(top.where.all[1], NotOf)
    assert [path for path, _ in leaves(top.where)] == ["all.0.credit_band", "all.1.not.region"]
    assert isinstance(leaves(top.where)[0][1], CreditBandIs)
    assert isinstance(leaves(top.where)[1][1], RegionIs)


def test_every_leaf_kind_parses() -> None:
    definition = parse_audience({"any": [
        {"credit_band": {"in": ["A"]}}, {"income_band": {"in": ["middle", "high"]}},
        {"product_interest": {"in": ["car_loan"]}}, {"region": {"in": ["44", "31"]}},
        {"debt_ratio": {"ge": 0.1, "lt": 0.4}}, {"debt_ratio": {"between": [0, 0.3]}},
        {"age": {"between": [25, 45]}}, {"active_within_days": 30},
    ], "customer_ids": [1, 2], "rank": {"min_probability": 0.2}})  # fmt: skip
    assert len(leaves(definition.where)) == 8


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"all": False}, r"where\.all: Input should be a valid tuple"),
        ({"segment": "overdue"}, "where: a condition is one of"),
        ({"credit_band": {"in": ["Z"]}}, r"where\.credit_band\.in\.0: Input should be 'A'"),
        ({"credit_band": {"in": []}}, r"where\.credit_band\.in: .*at least 1"),
        ({"credit_band": {"in": ["A", "A"]}}, "distinct"),
        ({"credit_band": {"in": ["A"], "is": ["B"]}}, r"where\.credit_band\.is: Extra inputs"),
        ({"region": {"in": ["99"]}}, "not GB/T 2260 province codes: 99"),
        ({"debt_ratio": {"lt": -0.1}}, r"debt_ratio\.lt: .*greater than or equal to 0"),
        ({"debt_ratio": {}}, "at least one of lt, le, gt, ge or between"),
        ({"debt_ratio": {"between": [0.5, 0.1]}}, "low <= high"),
        ({"debt_ratio": {"between": [0.1, 0.3], "lt": 1}}, "not both"),
        ({"age": {"between": [40, 20]}}, "youngest <= oldest"),
        ({"active_within_days": 0}, "greater than or equal to 1"),
        ({"all": []}, r"where\.all: .*at least 1"),
        ({"not": [{"age": {"between": [1, 2]}}]}, "where.not: a condition is one of"),
        ({"customer_ids": []}, "customer_ids: .*at least 1"),
        ({"customer_ids": [0]}, "positive row ids"),
        ({"customer_ids": [True]}, "not true/false"),
        ({"rank": {}}, "rank needs a limit"),
        ({"rank": {"by": "age", "limit": 3}}, r"rank\.by: Input should be 'propensity'"),
        ({"rank": {"min_probability": 1.5}}, r"min_probability: .*less than 1"),
        ({"credit_band": {"in": ["A"]}, "region": {"in": ["11"]}}, "one condition at the top"),
        ({"all": True, "where": {"active_within_days": 3}}, "means everyone"),
        ({"where": {"active_within_days": 3}, "age": {"between": [1, 2]}}, "not both"),
        (["all"], "an audience is a mapping"),
    ],
)
def test_bad_definitions_are_refused_with_the_place_named(data: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_audience(data)


def test_definition_files_may_be_yaml_or_json(tmp_path: Path) -> None:
    as_yaml = tmp_path / "a.yaml"
    as_yaml.write_text("all:\n  - credit_band: {in: [A]}\n  - active_within_days: 30\n")
    as_json = tmp_path / "a.json"
    as_json.write_text(json.dumps({"all": [{"credit_band": {"in": ["A"]}},
                                           {"active_within_days": 30}]}))  # fmt: skip
    assert parse_audience(read_definition(as_yaml)) == parse_audience(read_definition(as_json))
    broken = tmp_path / "b.json"
    broken.write_text("{")
    with pytest.raises(InputError, match="audience file"):
        read_definition(broken)
