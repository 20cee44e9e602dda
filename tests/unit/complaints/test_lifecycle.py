"""The case state machine: the happy path, its history, and each refusal named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from smsguard.complaints import lifecycle as lc
from smsguard.complaints.deadlines import DeadlinePolicy
from smsguard.errors import InputError

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
POLICY = DeadlinePolicy()


def _at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def _assigned() -> lc.Case:
    case, _ = lc.received(T0)
    case, _ = lc.acknowledge(case, _at(0.1))
    case, _ = lc.assign(case, _at(0.2), 7)
    return case


def test_the_full_path_records_each_move_as_history() -> None:
    case, first = lc.received(T0)
    changes = [first]
    for step in (
        lambda c: lc.acknowledge(c, _at(0.1)),
        lambda c: lc.assign(c, _at(0.2), 7),
        lambda c: lc.extend(c, POLICY, _at(10), "complex"),
        lambda c: lc.extend(c, POLICY, _at(25), "especially-complex", "olga"),
        lambda c: lc.resolve(c, _at(40)),
        lambda c: lc.close(c, _at(41)),
    ):
        case, change = step(case)
        changes.append(change)
    assert [(c.from_status, c.to_status) for c in changes] == [
        ("", "received"),
        ("received", "acknowledged"),
        ("acknowledged", "assigned"),
        ("assigned", "extended"),
        ("extended", "extended"),
        ("extended", "resolved"),
        ("resolved", "closed"),
    ]
    assert case.timeline.extensions == 2 and case.assignee == 7
    assert changes[4].detail["approved_by"] == "olga" and changes[4].detail["days"] == 60


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: lc.resolve(lc.received(T0)[0], _at(1)),
            "cannot resolve a complaint that is received",
        ),
        (lambda: lc.close(_assigned(), _at(1)), "close needs it to be resolved"),
        (lambda: lc.acknowledge(_assigned(), _at(1)), "acknowledge needs it to be received"),
        (lambda: lc.assign(_assigned(), _at(1), 7), "already assigned to user 7"),
        (lambda: lc.extend(_assigned(), POLICY, _at(1), "Customer 138 is angry"), "must be a code"),
        (lambda: lc.extend(_assigned(), POLICY, _at(16), "complex"), "15-day deadline passed"),
        (lambda: lc.acknowledge(lc.received(T0)[0], _at(-1)), "before the complaint's clock"),
        (lambda: lc.reopen(_assigned(), _at(1), "disputed"), "reopen needs it to be resolved"),
    ],
)
def test_each_wrong_move_is_refused_with_the_reason(make: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        make()  # type: ignore[operator]


def test_the_further_extension_needs_approval_and_the_third_is_impossible() -> None:
    case, _ = lc.extend(_assigned(), POLICY, _at(10), "complex")
    with pytest.raises(InputError, match="approval of a compliance officer"):
        lc.extend(case, POLICY, _at(20), "especially-complex")
    case, _ = lc.extend(case, POLICY, _at(20), "especially-complex", "olga")
    with pytest.raises(InputError, match="60 days is the maximum"):
        lc.extend(case, POLICY, _at(30), "complex", "olga")


def test_a_policy_without_a_further_extension_stops_at_the_first() -> None:
    policy = DeadlinePolicy(further_days=0)
    case, _ = lc.extend(_assigned(), policy, _at(10), "complex")
    with pytest.raises(InputError, match="30 days is the maximum"):
        lc.extend(case, policy, _at(20), "especially-complex", "olga")


def test_reopening_starts_a_new_round_with_a_fresh_clock() -> None:
    case, _ = lc.resolve(_assigned(), _at(3))
    case, change = lc.reopen(case, _at(50), "disputed-decision")
    assert (case.status, case.round, case.timeline.started_at) == ("assigned", 2, _at(50))
    assert change.detail == {"reason": "disputed-decision", "round": 2}
    with pytest.raises(InputError, match="not free text"):
        lc.reopen(lc.resolve(_assigned(), _at(3))[0], _at(4), "他说我们骗人")
