"""Throughput of the monitor: events per second through windows, detectors and de-duplication.

    .venv/bin/python benchmarks/bench_monitor.py [--events N] [--baseline-events M]

A made-up but realistic mix: 12 campaigns of 3 institutions sending around the clock inside
the allowed hours, each message screened (with a fraud score), sent (with recipient and, for
a tenth, the rendered text for the template check), then delivered or failed; opt-outs,
complaints and replies at realistic rates; staff decrypts, exports, logins and approvals.
Events come in batches of 100 with ``now`` at the batch's last event, as the gateway's event
sink would hand them over.

Printed next to it, in the same run on the first ``--baseline-events`` of the same events:

* ``naive``: per key a list of (time, count), expired from the front, and every rate the
  detectors need recomputed by scanning the lists (what the ring buffers replace).

Events per second are per CPU second of this process (one core). Target: >= 100,000/s.
Nothing is asserted; the figures are for reading.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from smsguard.monitor import CampaignPlan, Event, EventKind, Monitor

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, a Monday
BODY = "【好借银行】{name}您好，您的额度{amount}已可用，年化利率7.2%起。退订回T"
K = EventKind


def make_events(count: int, seed: int = 7) -> list[Event]:
    """``count`` events of the mix, in time order, about 1,500 per simulated second."""
    rng = random.Random(seed)
    campaigns = [(f"c{i}", f"inst{i % 3}", f"t{i % 5}") for i in range(12)]
    users = [f"u{i}" for i in range(40)]
    events: list[Event] = []
    at = START
    step = timedelta(milliseconds=2)
    while len(events) < count:
        at += step
        campaign, inst, template = rng.choice(campaigns)
        roll = rng.random()
        if roll < 0.002:
            kind = rng.choice((K.PII_DECRYPT, K.EXPORT, K.LOGIN, K.APPROVAL))
            user = rng.choice(users)
            n = rng.randint(1, 20) if kind in (K.PII_DECRYPT, K.EXPORT) else 1
            events.append(Event(kind, at, inst, campaign, template, user, n, author="maker"))
            continue
        recipient = f"r{rng.randrange(1_000_000)}"
        score = 0.95 if rng.random() < 1e-5 else rng.random() * 0.3
        text = BODY.replace("{name}", "王伟").replace("{amount}", "5000元") if roll < 0.1 else None
        events.append(Event(K.SCREENED, at, inst, campaign, template, value=score))
        events.append(Event(K.SENT, at, inst, campaign, template, recipient=recipient, text=text))
        outcome = K.DELIVERED if rng.random() < 0.97 else K.FAILED
        events.append(Event(outcome, at, inst, campaign, template))
        follow = rng.random()
        if follow < 0.002:
            events.append(Event(K.OPT_OUT, at, inst, campaign, template))
        elif follow < 0.0022:
            events.append(Event(K.COMPLAINT, at, inst, campaign, template))
        elif follow < 0.008:
            events.append(Event(K.REPLY, at, inst, campaign, template))
    return events[:count]


def batches(events: Sequence[Event], size: int = 100) -> list[tuple[datetime, Sequence[Event]]]:
    """Consecutive slices with ``now`` at each slice's last event."""
    return [
        (events[i : i + size][-1].at, events[i : i + size]) for i in range(0, len(events), size)
    ]


def run_monitor(work: list[tuple[datetime, Sequence[Event]]]) -> tuple[float, int]:
    """CPU seconds and alerts raised for the whole stream through one Monitor."""
    monitor = Monitor()
    for i in range(12):
        monitor.set_plan(f"c{i}", CampaignPlan(10_000_000, 1_000_000, BODY))
    alerts = 0
    started = time.process_time()
    for now, events in work:
        alerts += len(monitor.observe_many(events, now))
    return time.process_time() - started, alerts


class Naive:
    """Lists of (second, count) per key, rates recomputed by scanning on every event."""

    def __init__(self) -> None:
        self.lists: dict[tuple[str, str, str], deque[tuple[int, int]]] = {}

    def observe(self, event: Event) -> None:
        second = int(event.at.timestamp())
        keys = [("institution", event.institution), ("campaign", event.campaign or "")]
        for scope, key in keys:
            items = self.lists.setdefault((scope, key, event.kind), deque())
            items.append((second, event.count))
            while items[0][0] <= second - 86_400:
                items.popleft()
        if event.kind in (K.OPT_OUT, K.FAILED, K.COMPLAINT, K.SENT):
            for span in (60, 3600):
                for kind in (K.DELIVERED, event.kind):
                    items = self.lists.get(("campaign", event.campaign or "", kind), deque())
                    sum(n for s, n in items if s > second - span)


def run_naive(events: Sequence[Event]) -> float:
    """CPU seconds for the naive scan over ``events``."""
    naive = Naive()
    started = time.process_time()
    for event in events:
        naive.observe(event)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--baseline-events", type=int, default=50_000)
    args = parser.parse_args()
    started = time.process_time()
    events = make_events(args.events)
    build = time.process_time() - started
    kinds: dict[str, int] = {}
    for event in events:
        kinds[event.kind.value] = kinds.get(event.kind.value, 0) + 1
    span = (events[-1].at - events[0].at).total_seconds()
    print(f"{len(events):,} events over {span / 60:.0f} simulated minutes: {kinds}")
    print(f"{'constructing Event objects':<40} {len(events) / build:>12,.0f} events/s")
    seconds, alerts = run_monitor(batches(events))
    print(
        f"{'Monitor.observe_many (batches of 100)':<40} {len(events) / seconds:>12,.0f} events/s"
        f"  ({alerts} alerts)"
    )
    subset = events[: args.baseline_events]
    seconds = run_naive(subset)
    print(
        f"{'baseline: naive lists, rescanned':<40} {len(subset) / seconds:>12,.0f} events/s"
        f"  (first {len(subset):,} events)"
    )


if __name__ == "__main__":
    main()
