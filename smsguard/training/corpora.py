"""Labelled SMS for training: users' own TSV/CSV files and the project's shared corpora.

Everything ends up as :class:`Example` rows with one of three labels (ham, spam, fraud),
de-duplicated by :func:`~smsguard.risk.canonical.canonical` text, because the corpora are full
of template copies that would otherwise dominate training and leak into held-out data.

The label policy for the shared corpora (see ``docs/model.md`` for the reasons):

* ``uci``: ham, spam; a UCI text that Mishra-Soni calls ``smishing`` becomes fraud, so the
  two English sets agree where they overlap;
* ``mishra_soni``: ham, spam, and ``smishing`` as fraud;
* ``mudou_train`` / ``mudou_unseen``: ham, spam (``mudou_unseen`` is for evaluation only);
* ``sms80w``: the spam side only -- its ham is web sentence fragments, not SMS, and is never
  read. Rows the topic file tags exactly ``冒充银行扣款类、提供姓名及卡号转账诈骗`` and that hold a
  card-number-like run ("pay into this card, name X") are fraud; everything else is spam.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from smsguard.errors import InputError
from smsguard.risk.canonical import canonical

LABELS = ("ham", "spam", "fraud")
DEFAULT_LABEL_MAP: Mapping[str, str] = {
    "ham": "ham",
    "normal": "ham",
    "0": "ham",
    "spam": "spam",
    "1": "spam",
    "smishing": "fraud",
    "fraud": "fraud",
    "phishing": "fraud",
}
SHARED_FILES = {
    "uci": ("uci_sms_spam_collection/sms_spam_collection.tsv",),
    "mishra_soni": ("mishra_soni_sms_phishing/sms_phishing_5971.tsv",),
    "mudou_train": ("mudou_spam_cn/mudou_spam_train.tsv",),
    "mudou_unseen": ("mudou_spam_cn/mudou_spam_test_unseen.tsv",),
    "sms80w": (
        "sms80w_cn_subset/sms80w_subset.tsv",
        "sms80w_cn_subset/sms80w_extra_spam.tsv",
        "sms80w_cn_subset/sms80w_extra_spam_6cat.fine.tsv",
    ),
}
CARD_TRANSFER_TAG = "冒充银行扣款类、提供姓名及卡号转账诈骗"
# 15 or more digits (or x-masked digits), optionally broken by spaces, dots or hyphens.
_CARD_NUMBER = re.compile(r"[0-9xX](?:[ .\-]*[0-9xX]){14,}")


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled SMS."""

    text: str
    label: str  # "ham" | "spam" | "fraud"
    source: str  # corpus name, or the stem of a user's file
    tags: tuple[str, ...] = ()  # fine topics, e.g. ("贷款诈骗",) from the 80万 topic file


@dataclass(frozen=True, slots=True)
class Corpus:
    """The examples of one data set and the sha256 of the bytes they came from."""

    name: str
    examples: tuple[Example, ...]
    sha256: str


def dedupe(examples: Iterable[Example]) -> tuple[Example, ...]:
    """Drop every example whose canonical text was already seen; the first one wins."""
    seen: set[str] = set()
    kept: list[Example] = []
    for example in examples:
        key = canonical(example.text)
        if key not in seen:
            seen.add(key)
            kept.append(example)
    return tuple(kept)


def file_sha256(*paths: Path) -> str:
    """sha256 of the files' bytes, read in the given order as one stream."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def row_counts(examples: Iterable[Example]) -> dict[str, dict[str, int]]:
    """Examples per source and label, sorted: what a training summary reports."""
    counts = Counter((e.source, e.label) for e in examples)
    out: dict[str, dict[str, int]] = {}
    for (source, label), count in sorted(counts.items()):
        out.setdefault(source, {})[label] = count
    return out


# -- users' files -------------------------------------------------------------------------


def labelled_rows(path: Path) -> Iterator[tuple[int, str, str]]:
    """(line number, raw label, text) of a TSV (no quoting) or CSV file with a header; the
    one reader of labelled SMS files (training, evaluation, benchmarks, the seed index)."""
    is_csv = path.suffix.lower() == ".csv"
    csv.field_size_limit(1 << 24)
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            if is_csv:
                reader = csv.reader(stream)
            else:
                reader = csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
            header = [cell.strip().lower() for cell in next(reader, [])]
            if "label" not in header or "text" not in header:
                raise InputError(f"{path}, line 1: the header needs `label` and `text` columns")
            label_at, text_at = header.index("label"), header.index("text")
            for row in reader:
                yield reader.line_num, *_cells(path, reader.line_num, row, label_at, text_at)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the training file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except csv.Error as exc:
        raise InputError(f"{path}: malformed CSV ({exc})") from exc


def _cells(
    path: Path, line: int, row: Sequence[str], label_at: int, text_at: int
) -> tuple[str, str]:
    if not row or (len(row) == 1 and not row[0].strip()):
        return "", ""
    if len(row) <= max(label_at, text_at):
        raise InputError(
            f"{path}, line {line}: expected a label and a text, got {len(row)} field(s)"
        )
    return row[label_at].strip(), row[text_at].strip()


def load_labelled_file(path: Path, *, label_map: Mapping[str, str] | None = None) -> Corpus:
    """Read a user's labelled TSV (``label<TAB>text``, no quoting) or CSV (``label,text``).

    Labels go through ``label_map`` (default :data:`DEFAULT_LABEL_MAP`, case-insensitive) to
    ham/spam/fraud; an unknown label is an :class:`InputError` naming the file and line.
    Rows with an empty text are skipped; duplicates are removed (:func:`dedupe`).
    """
    path = Path(path)
    mapping = {k.lower(): v for k, v in (label_map or DEFAULT_LABEL_MAP).items()}
    bad = sorted(set(mapping.values()) - set(LABELS))
    if bad:
        raise InputError(f"label map targets {bad}; allowed: {', '.join(LABELS)}")
    examples: list[Example] = []
    for line, raw, text in labelled_rows(path):
        if not text:
            continue
        label = mapping.get(raw.lower())
        if label is None:
            known = ", ".join(sorted(mapping))
            raise InputError(f"{path}, line {line}: unknown label {raw!r} (known: {known})")
        examples.append(Example(text, label, path.stem))
    return Corpus(path.stem, dedupe(examples), file_sha256(path))


# -- the shared corpora -------------------------------------------------------------------


def _shared_rows(path: Path) -> list[tuple[str, str]]:
    return [(label, text) for _, label, text in labelled_rows(path) if text]


def _relabel(
    name: str, rows: Sequence[tuple[str, str]], mapping: Mapping[str, str]
) -> list[Example]:
    return [Example(text, mapping[label], name) for label, text in rows]


def _card_transfer(tags: tuple[str, ...], text: str) -> bool:
    return tags == (CARD_TRANSFER_TAG,) and _CARD_NUMBER.search(text) is not None


def _sms80w(root: Path) -> list[Example]:
    subset, extra, topics = (root / name for name in SHARED_FILES["sms80w"])
    tags = {text: tuple(label.split("|")) for label, text in _shared_rows(topics)}
    spam = [text for label, text in _shared_rows(subset) if label == "spam"]
    spam += [text for label, text in _shared_rows(extra) if label == "spam"]
    out = []
    for text in spam:
        found = tags.get(text, ())
        out.append(
            Example(text, "fraud" if _card_transfer(found, text) else "spam", "sms80w", found)
        )
    return out


def _english(root: Path) -> tuple[list[Example], list[Example]]:
    mishra = _relabel(
        "mishra_soni",
        _shared_rows(root / SHARED_FILES["mishra_soni"][0]),
        {"ham": "ham", "spam": "spam", "smishing": "fraud"},
    )
    smishing = {canonical(e.text) for e in mishra if e.label == "fraud"}
    uci = [
        Example(text, "fraud" if canonical(text) in smishing else label, "uci")
        for label, text in _shared_rows(root / SHARED_FILES["uci"][0])
    ]
    return uci, mishra


def load_shared_corpora(root: Path) -> dict[str, Corpus]:
    """The five shared corpora under ``root`` (laid out like ``shared/data``), each
    de-duplicated within itself, with the label policy of the module docstring."""
    root = Path(root)
    missing = [
        name for files in SHARED_FILES.values() for name in files if not (root / name).is_file()
    ]
    if missing:
        raise InputError(f"{root}: not a shared-data folder; missing {', '.join(missing)}")
    two = {"ham": "ham", "spam": "spam"}
    uci, mishra = _english(root)
    examples = {
        "uci": uci,
        "mishra_soni": mishra,
        "mudou_train": _relabel(
            "mudou_train", _shared_rows(root / SHARED_FILES["mudou_train"][0]), two
        ),
        "mudou_unseen": _relabel(
            "mudou_unseen", _shared_rows(root / SHARED_FILES["mudou_unseen"][0]), two
        ),
        "sms80w": _sms80w(root),
    }
    return {
        name: Corpus(name, dedupe(rows), file_sha256(*(root / f for f in SHARED_FILES[name])))
        for name, rows in examples.items()
    }


# -- keeping evaluation data out of training ----------------------------------------------


def _shingles(canon: str, size: int = 4) -> set[str]:
    squeezed = canon.replace(" ", "")
    if len(squeezed) <= size:
        return {squeezed} if squeezed else set()
    return {squeezed[i : i + size] for i in range(len(squeezed) - size + 1)}


def remove_near_duplicates(
    examples: Iterable[Example], reference: Iterable[Example], *, threshold: float = 0.7
) -> tuple[tuple[Example, ...], int]:
    """Drop examples whose canonical text equals, or nearly equals, a reference text.

    "Nearly": Jaccard similarity of 4-character shingles (spaces removed) >= ``threshold``,
    so a template copy with another name or shop is caught as well as an exact copy. Used
    to keep ``mudou_unseen`` honest as a test set for the shipped model. Returns the kept
    examples and how many were dropped.
    """
    refs = [_shingles(canonical(e.text)) for e in reference]
    exact = {canonical(e.text) for e in reference}
    postings: dict[str, list[int]] = {}
    for number, shingles in enumerate(refs):
        for shingle in shingles:
            postings.setdefault(shingle, []).append(number)
    kept: list[Example] = []
    dropped = 0
    for example in examples:
        canon = canonical(example.text)
        if canon in exact or _near(_shingles(canon), refs, postings, threshold):
            dropped += 1
        else:
            kept.append(example)
    return tuple(kept), dropped


def _near(
    shingles: set[str],
    refs: Sequence[set[str]],
    postings: Mapping[str, list[int]],
    threshold: float,
) -> bool:
    shared: dict[int, int] = {}
    for shingle in shingles:
        for number in postings.get(shingle, ()):
            shared[number] = shared.get(number, 0) + 1
    for number, common in shared.items():
        if common / (len(shingles) + len(refs[number]) - common) >= threshold:
            return True
    return False


# -- what `smsguard model train --data` reads ---------------------------------------------

SHARED_TRAINING = ("uci", "mishra_soni", "mudou_train", "sms80w")
HELD_OUT = "mudou_unseen"


@dataclass(frozen=True, slots=True)
class TrainingData:
    """The examples to train on, the sha256 of every file read, and what was left out."""

    examples: tuple[Example, ...]
    sha256: dict[str, str]
    notes: tuple[str, ...] = ()


def training_data(
    paths: Sequence[Path], *, label_map: Mapping[str, str] | None = None
) -> TrainingData:
    """At most one shared-data folder (the policy above) plus any users' labelled files.

    From the shared data, ``mudou_unseen`` is never trained on, and every training text that
    equals or nearly equals one of its texts is dropped -- users' files included -- so it
    stays a fair test of the model that ships.
    """
    paths = [Path(p) for p in paths]
    folders = [p for p in paths if p.is_dir()]
    if len(folders) > 1:
        raise InputError("give at most one shared-data folder")
    corpora = [load_labelled_file(p, label_map=label_map) for p in paths if not p.is_dir()]
    hashes = {corpus.name: corpus.sha256 for corpus in corpora}
    if len(hashes) < len(corpora):
        raise InputError("two training files share a name; rename one")
    examples = tuple(e for corpus in corpora for e in corpus.examples)
    if not folders:
        return TrainingData(examples, hashes)
    shared = _shared_training(folders[0], examples)
    clash = sorted(set(hashes) & set(shared.sha256))
    if clash:
        raise InputError(f"training file name(s) {clash} clash with the shared corpora")
    return TrainingData(shared.examples, {**shared.sha256, **hashes}, shared.notes)


def _shared_training(root: Path, extra: Sequence[Example]) -> TrainingData:
    corpora = load_shared_corpora(root)
    pooled = [e for name in SHARED_TRAINING for e in corpora[name].examples] + list(extra)
    kept, dropped = remove_near_duplicates(pooled, corpora[HELD_OUT].examples)
    note = f"left out {HELD_OUT} and {dropped} training texts equal or near to one of its texts"
    hashes = {name: corpus.sha256 for name, corpus in corpora.items()}
    return TrainingData(kept, hashes, (note,))
