"""Build the seed fingerprint index shipped in smsguard/fingerprints/data/.

    python scripts/build_seed_fingerprints.py --data ../shared/data \\
        --out smsguard/fingerprints/data/seed_index.sgfp

Sources (see each folder's PROVENANCE.md):

* ``mishra_soni_sms_phishing/sms_phishing_5971.tsv``: rows labelled ``smishing``
  (category ``smishing``; CC BY 4.0, Mishra & Soni 2022, doi:10.17632/f45bkkt8pr.1);
* ``sms80w_cn_subset/sms80w_extra_spam_6cat.fine.tsv``: rows whose label is exactly
  ``冒充银行扣款类、提供姓名及卡号转账诈骗`` (category ``card-transfer``; no licence stated).

The index keeps ids, categories and b-bit MinHash signatures only: no text of either corpus
is written. A template id names its source file and line (``smishing:mishra-soni:L123``) so
a match can be traced back by whoever holds the corpus. Near-duplicates are merged (the
first copy stands for the rest) and texts too short to fingerprint are left out. The output
is a function of the inputs alone: run twice, it is byte-identical.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path

from smsguard.fingerprints.build import DEFAULT_DEDUP, build_index
from smsguard.fingerprints.index import DEFAULT_THRESHOLD
from smsguard.training.corpora import labelled_rows

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "smsguard" / "fingerprints" / "data" / "seed_index.sgfp"
CARD_TRANSFER_LABEL = "冒充银行扣款类、提供姓名及卡号转账诈骗"
SOURCES = (
    # (path under --data, label to keep, category, id tag)
    ("mishra_soni_sms_phishing/sms_phishing_5971.tsv", "smishing", "smishing", "mishra-soni"),
    (
        "sms80w_cn_subset/sms80w_extra_spam_6cat.fine.tsv",
        CARD_TRANSFER_LABEL,
        "card-transfer",
        "sms80w-6cat",
    ),
)


def read_rows(path: Path, label: str, category: str, tag: str) -> Iterator[tuple[str, str, str]]:
    """``(id, text, category)`` for every row of ``path`` whose label is exactly ``label``.

    The corpora are TSV without quoting: many texts start with a quote character.
    """
    for line, found, text in labelled_rows(path):
        if text and found == label:
            yield f"{category}:{tag}:L{line}", text, category


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="index file to write")
    parser.add_argument(
        "--dedup", type=float, default=DEFAULT_DEDUP, help="merge at this similarity"
    )
    args = parser.parse_args(argv)
    rows: list[tuple[str, str, str]] = []
    for relative, label, category, tag in SOURCES:
        path = args.data / relative
        if not path.is_file():
            print(f"missing {path}", file=sys.stderr)
            return 1
        found = list(read_rows(path, label, category, tag))
        print(f"{relative}: {len(found)} rows labelled {label!r} -> category {category!r}")
        rows.extend(found)
    index, report = build_index(rows, threshold=DEFAULT_THRESHOLD, dedup=args.dedup)
    index.save(args.out)
    args.out.chmod(0o644)  # saved private (0600) like any index; package data must be readable
    by_category: dict[str, int] = {}
    for _template_id, category in index.templates():
        by_category[category] = by_category.get(category, 0) + 1
    data = args.out.read_bytes()
    print(
        f"read {report.read}, too short {report.too_short}, "
        f"near-duplicates merged {len(report.duplicate_of)}, kept {report.kept} {by_category}"
    )
    print(f"wrote {args.out} ({len(data):,} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
