"""The compiled-matcher cache changes speed, never results."""

from __future__ import annotations

from pathlib import Path

from smsguard.screening.matcher import PatternSpec, compile_matcher, hyperscan_available
from smsguard.screening.matcher_cache import CachingMatcherBuilder

SPECS = [
    PatternSpec(0, "秒批"),
    PatternSpec(1, r"年化[^，。]{0,6}\d"),
    PatternSpec(2, "t\\.cn/\\w+"),
]
TEXTS = ["贷款秒批", "年化利率7.2%", "点击 t.cn/ab12 申请", "晚上见"]


def _results(matcher: object) -> list[list[tuple[int, int, int]]]:
    scan = matcher.scan  # type: ignore[attr-defined]
    return [[(h.pattern_id, h.start, h.end) for h in scan(t)] for t in TEXTS]


def test_cached_matcher_gives_the_same_hits(tmp_path: Path) -> None:
    build = CachingMatcherBuilder(tmp_path)
    first = build(SPECS, "auto")
    files = list(tmp_path.glob("matcher-*.bin"))
    assert len(files) == (1 if hyperscan_available() else 0)
    second = build(SPECS, "auto")
    expected = _results(compile_matcher(SPECS, backend="re"))
    assert _results(first) == _results(second) == expected


def test_corrupt_cache_file_is_ignored(tmp_path: Path) -> None:
    build = CachingMatcherBuilder(tmp_path)
    build(SPECS, "auto")
    for path in tmp_path.glob("matcher-*.bin"):
        path.write_bytes(b"\x00\x00\x00\x01x" + b"garbage")
    assert _results(build(SPECS, "auto")) == _results(compile_matcher(SPECS, backend="re"))


def test_changed_patterns_use_a_new_entry(tmp_path: Path) -> None:
    build = CachingMatcherBuilder(tmp_path)
    build(SPECS, "auto")
    build([*SPECS, PatternSpec(3, "包下款")], "auto")
    assert len(list(tmp_path.glob("matcher-*.bin"))) == (2 if hyperscan_available() else 0)


def test_unwritable_cache_folder_still_builds(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    matcher = CachingMatcherBuilder(blocker / "cache")(SPECS, "auto")
    assert _results(matcher) == _results(compile_matcher(SPECS, backend="re"))
