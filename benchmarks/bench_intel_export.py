"""Intel feed export speed: 100,000 indicators to a signed, validated STIX 2.1 feed.

    .venv/bin/python benchmarks/bench_intel_export.py [--count N] [--baseline N] [--sample N]

Printed, measured in the same run:

* smsguard's path (``smsguard.intel.stix.bundle_of`` builds plain dicts): building the
  bundle, serialising the feed file, hashing and signing it (``sign_feed``), then verifying
  and importing it back;
* the OASIS ``stix2-validator`` (strict options of the tests) on a sample of the bundle;
* baseline: the same indicators built one by one as ``stix2.v21.Indicator`` objects with the
  library's full validation (pattern syntax included) and serialised, on --baseline
  indicators, extrapolated to --count.

Target: export (build + serialise + sign) of 100,000 indicators <= 10 s. Nothing is
asserted; the figures are for reading.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import time
from datetime import UTC, datetime, timedelta

import stix2
from stix2validator import ValidationOptions, validate_instance

from smsguard.intel.feed import feed_bytes, sign_feed, verify_feed
from smsguard.intel.model import Indicator, Kind, Tlp
from smsguard.intel.stix import bundle_of, indicator_object
from smsguard.intel.stix_import import indicators_from_bundle
from smsguard.tlog.note import Ed25519Signer

SIGNER = Ed25519Signer("smsguard-intel-feed/bench", bytes(32))
T0 = datetime(2026, 11, 1, tzinfo=UTC)
STRICT = ValidationOptions(
    version="2.1", strict=True, strict_properties=True, disabled="uuid-check", silent=True
)


class Memory:
    def get(self, producer: str) -> int | None:
        return None

    def set(self, producer: str, sequence: int) -> None:
        pass


def synthetic(count: int, seed: int = 7) -> list[Indicator]:
    """A mix: 40% phone hashes, 25% URLs, 15% domains, 20% text fingerprints."""
    rng = random.Random(seed)
    tlps = list(Tlp)
    items: list[Indicator] = []
    for n in range(count):
        roll = rng.random()
        seen = T0 + timedelta(seconds=rng.randrange(86400 * 30), milliseconds=rng.randrange(1000))
        common = {
            "source": f"bank{n % 5}",
            "confidence": rng.randrange(101),
            "first_seen": seen,
            "last_seen": seen + timedelta(hours=rng.randrange(48)),
            "expires_at": seen + timedelta(days=90),
            "tlp": tlps[n % len(tlps)],
            "revoked": n % 50 == 0,
        }
        if roll < 0.40:
            value = hashlib.sha256(f"phone{n}".encode()).hexdigest()
            items.append(Indicator(Kind.PHONE_HASH, value, epoch="2026-11", **common))  # type: ignore[arg-type]
        elif roll < 0.65:
            url = f"https://loan{n}.example.cn/apply?id={rng.randrange(10**6)}"
            items.append(Indicator(Kind.URL, url, **common))  # type: ignore[arg-type]
        elif roll < 0.80:
            items.append(Indicator(Kind.DOMAIN, f"fraud{n}.example.cn", **common))  # type: ignore[arg-type]
        else:
            value = hashlib.blake2b(f"text{n}".encode(), digest_size=32).hexdigest()
            items.append(Indicator(Kind.FINGERPRINT, value, **common))  # type: ignore[arg-type]
    return items


def clock() -> float:
    return time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=5_000)
    parser.add_argument("--sample", type=int, default=1_000)
    args = parser.parse_args()

    items = synthetic(args.count)
    print(f"{args.count:,} synthetic indicators (phone hash, URL, domain, fingerprint mix)")

    start = clock()
    bundle = bundle_of(items, "bank0")
    built = clock()
    feed = sign_feed(bundle, "bank0", 1, SIGNER)
    signed = clock()
    data = feed_bytes(feed)
    written = clock()
    export = written - start
    print(f"  build bundle          {built - start:7.2f} s")
    print(f"  hash + sign           {signed - built:7.2f} s")
    print(f"  serialise             {written - signed:7.2f} s   ({len(data) / 1e6:.1f} MB)")
    print(f"  export total          {export:7.2f} s   (target <= 10 s)")

    start = clock()
    verified = verify_feed(data, {"bank0": SIGNER.verifier}, Memory(), max_age=timedelta(days=3650))
    checked = clock()
    back, problems = indicators_from_bundle(verified.bundle)
    imported = clock()
    print(f"  verify feed           {checked - start:7.2f} s")
    outcome = f"{len(back):,} ok, {len(problems)} refused"
    print(f"  import indicators     {imported - checked:7.2f} s   ({outcome})")

    head = [o for o in bundle["objects"] if o["type"] != "indicator"]
    sample = head + [indicator_object(i) for i in items[: args.sample]]
    start = clock()
    result = validate_instance(dict(bundle, objects=sample), STRICT)
    took = clock() - start
    per = took / max(1, args.sample)
    print(
        f"  stix2-validator       {took:7.2f} s   for {args.sample:,} indicators "
        f"({'valid' if result.is_valid else 'INVALID'}; ~{per * args.count:.0f} s for all)"
    )

    subset = items[: args.baseline]
    start = clock()
    objects = [stix2.v21.Indicator(**indicator_object(i), allow_custom=False) for i in subset]
    for obj in objects:
        obj.serialize()
    took = clock() - start
    scaled = took / max(1, len(subset)) * args.count
    print(
        f"baseline stix2 objects  {took:7.2f} s   for {len(subset):,} "
        f"(~{scaled:.0f} s for {args.count:,}: {scaled / export:.0f}x smsguard's export)"
    )


if __name__ == "__main__":
    main()
