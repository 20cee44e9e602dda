"""The fraud/spam risk model at run time: numpy and the standard library only.

A :class:`RiskModel` is a linear model over the character n-grams of
:func:`~smsguard.risk.canonical.canonical` text (see :mod:`smsguard.risk.features`), followed
by temperature scaling and two thresholds. It is trained by ``smsguard model train``
(:mod:`smsguard.training`), which is the only place scikit-learn is used; scoring needs none
of it, so the base install stays small and starts fast.

Why these pieces:

* **temperature** -- a plain logistic regression is over-confident on text it has nearly
  seen before; one scalar fitted on held-out data fixes most of that without changing the
  ranking, so thresholds chosen on held-out data keep their meaning;
* **two thresholds per writing system** -- blocking a real bank notice costs far more than
  letting an advert through, so the operating point is chosen for a target false-positive
  rate on held-out ham rather than at p = 0.5, separately for Chinese and Latin-script text
  (:mod:`smsguard.risk.scripts` says why; ``metadata["operating_point"]`` records what was
  measured);
* **explanations** -- each score names the n-grams (merged into phrases) that pushed it
  towards its label, so a reviewer can see *why* without reading weights.

The artifact is one zip holding ``metadata.json``, ``vocabulary.txt`` and ``.npy`` arrays
(weights stored as float16), written by :mod:`smsguard.risk.artifact`.
"""

from __future__ import annotations

import hashlib
import json
import math
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from smsguard._files import write_atomically
from smsguard.errors import ModelError
from smsguard.risk.artifact import pack, unpack
from smsguard.risk.canonical import canonical
from smsguard.risk.features import (
    GramIndex,
    linear_scores,
    merge_phrases,
    string_hashes,
    top_spans,
)
from smsguard.risk.scripts import ScriptThresholds, apply_thresholds, han_mask, per_script

CLASSES = ("ham", "spam", "fraud")
Label = Literal["ham", "spam", "fraud"]
EXPLAIN_TOP = 5
_CANDIDATES = 2 * EXPLAIN_TOP  # grams considered per message before merging into phrases
_CHUNK = 4096

FloatArray = npt.NDArray[np.float32]


class Contribution(NamedTuple):
    """One phrase of the message and how far it pushed the score towards the label.

    A named tuple rather than a frozen dataclass: equally immutable, but ~5x cheaper to
    create, and a batch creates five per message.
    """

    feature: str
    weight: float


@dataclass(frozen=True, slots=True)
class RiskScore:
    """The model's view of one SMS: a label, calibrated probabilities, and why."""

    label: Label
    probabilities: dict[str, float]
    explanation: tuple[Contribution, ...]

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "label": self.label,
            "probabilities": {k: round(v, 6) for k, v in self.probabilities.items()},
            "explanation": [
                {"feature": c.feature, "weight": round(c.weight, 4)} for c in self.explanation
            ],
        }


class RiskModel:
    """Linear char-n-gram classifier with calibration and an operating point."""

    classes: tuple[str, ...] = CLASSES

    def __init__(
        self,
        *,
        vocabulary: Sequence[str],
        idf: npt.ArrayLike,
        weights: npt.ArrayLike,
        bias: npt.ArrayLike,
        temperature: float,
        thresholds: Mapping[str, Any],
        ngram_range: tuple[int, int],
        table_bits: int,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        """Build a model; arrays are rounded to their stored precision so that a model in
        memory and the same model after save/load score identically.

        ``thresholds`` is per script (see :func:`~smsguard.risk.scripts.per_script`); a flat
        ``{"spam", "fraud"}`` pair applies to both scripts.
        """
        self.vocabulary = tuple(vocabulary)
        self.idf = np.asarray(idf, dtype=np.float16).astype(np.float32)
        self.weights = np.asarray(weights, dtype=np.float16).astype(np.float32)
        self.bias = np.asarray(bias, dtype=np.float32)
        self.temperature = float(temperature)
        self._thresholds = per_script(thresholds)
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        # Through JSON once, so a model in memory and the same model loaded compare equal.
        self.metadata: dict[str, Any] = json.loads(json.dumps(dict(metadata or {})))
        self._check()
        if not 8 <= int(table_bits) <= 26:  # 2**26 slots = 512 MB: beyond that, not ours
            raise ValueError(f"hash table of 2**{table_bits} slots is out of range")
        hashes = string_hashes(self.vocabulary)
        self._index = GramIndex(hashes, int(table_bits), self.ngram_range)
        scaled = self.weights.astype(np.float64) * self.idf[:, None]
        self._columns = [np.ascontiguousarray(scaled[:, k]) for k in range(len(CLASSES))]
        # What a gram adds to the softmax of each class beyond the mean of all classes.
        self._push = scaled - scaled.mean(axis=1, keepdims=True)
        self.version = self._fingerprint()
        self._idf_squared = self.idf.astype(np.float64) ** 2

    def _check(self) -> None:
        size = len(self.vocabulary)
        if self.idf.shape != (size,) or self.weights.shape != (size, len(CLASSES)):
            raise ValueError("vocabulary, idf and weights disagree in shape")
        if self.bias.shape != (len(CLASSES),):
            raise ValueError("bias must have one value per class")
        if not (self.temperature > 0.0 and math.isfinite(self.temperature)):
            raise ValueError("temperature must be a positive number")
        arrays = (self.idf, self.weights, self.bias)
        if not all(np.isfinite(a).all() for a in arrays):
            raise ValueError("non-finite number in the model arrays")
        if not 1 <= self.ngram_range[0] <= self.ngram_range[1] <= 8:
            raise ValueError("bad n-gram range")

    def _fingerprint(self) -> str:
        """A short content id (vocabulary, arrays, calibration) that verdicts can record."""
        digest = hashlib.sha256()
        digest.update("\n".join(self.vocabulary).encode("utf-8"))
        for array in (self.idf.astype(np.float16), self.weights.astype(np.float16), self.bias):
            digest.update(array.tobytes())
        calibration = json.dumps([self.temperature, self.thresholds], sort_keys=True)
        digest.update(calibration.encode("ascii"))
        return f"risk-{digest.hexdigest()[:12]}"

    @property
    def table_bits(self) -> int:
        """Size (log2) of the gram hash table; part of the feature definition."""
        return self._index.bits

    @property
    def thresholds(self) -> ScriptThresholds:
        """The operating point per script (``han``, ``latin``): ``fraud`` on p(fraud),
        ``spam`` on p(spam) + p(fraud). A copy: changing it does not change the model."""
        return {script: dict(pair) for script, pair in self._thresholds.items()}

    def logits(self, canon_texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Uncalibrated class scores of already-canonical texts (training uses this)."""
        out = np.empty((len(canon_texts), len(CLASSES)), dtype=np.float64)
        for begin in range(0, len(canon_texts), _CHUNK):
            chunk = canon_texts[begin : begin + _CHUNK]
            grams, ids = self._index.lookup(chunk)
            known = ids >= 0
            scores = linear_scores(
                len(chunk), grams.rows[known], ids[known], self._columns, self._idf_squared
            )
            out[begin : begin + len(chunk)] = scores + self.bias
        return out

    def _calibrated(self, logits: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return softmax(logits, self.temperature)

    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Calibrated probabilities, one row per text, columns in :attr:`classes` order."""
        return self._calibrated(self.logits([canonical(text) for text in texts]))

    def label_of(
        self, probabilities: npt.NDArray[np.float64], canon_texts: Sequence[str]
    ) -> list[Label]:
        """Apply the operating point to rows of probabilities (see :meth:`assess`); each row
        uses the thresholds of its canonical text's script, so the texts are needed too."""
        if len(canon_texts) != len(probabilities):
            raise ValueError("one canonical text per row of probabilities is needed")
        spam_or_fraud = probabilities[:, 1] + probabilities[:, 2]
        is_han = han_mask(canon_texts)
        return apply_thresholds(spam_or_fraud, probabilities[:, 2], is_han, self._thresholds)

    def assess(self, text: str) -> RiskScore:
        """Score one SMS: fraud if p(fraud) >= the fraud threshold, else spam if
        p(spam) + p(fraud) >= the spam threshold, else ham (thresholds of the text's script);
        with the phrases behind it."""
        return self.assess_many([text])[0]

    def assess_many(self, texts: Sequence[str], *, explain: bool = True) -> list[RiskScore]:
        """:meth:`assess` for a batch; much faster per message than one call each.

        Explanations cost about as much as scoring itself (phrase merging is per-message
        Python); ``explain=False`` leaves them empty for bulk runs that only need labels.
        """
        results: list[RiskScore] = []
        for begin in range(0, len(texts), _CHUNK):
            canon = [canonical(t) for t in texts[begin : begin + _CHUNK]]
            results.extend(self._assess_chunk(canon, explain))
        return results

    def _assess_chunk(self, canon_texts: Sequence[str], explain: bool) -> list[RiskScore]:
        size = len(canon_texts)
        grams, ids = self._index.lookup(canon_texts)
        known = np.flatnonzero(ids >= 0)
        rows, known_ids = grams.rows[known], ids[known]
        scores = linear_scores(size, rows, known_ids, self._columns, self._idf_squared)
        probabilities = self._calibrated(scores + self.bias)
        labels = self.label_of(probabilities, canon_texts)
        rows_out = probabilities.tolist()
        if not explain:
            return [
                RiskScore(label, dict(zip(CLASSES, row, strict=True)), ())
                for label, row in zip(labels, rows_out, strict=True)
            ]
        columns = np.array([CLASSES.index(label) for label in labels], dtype=np.int64)
        norms = np.sqrt(np.bincount(rows, self._idf_squared[known_ids], minlength=size))
        push = self._push[known_ids, columns[rows]] / np.maximum(norms[rows], 1e-12)
        spans = top_spans(grams, known, rows, push, _CANDIDATES)
        return [
            RiskScore(label, dict(zip(CLASSES, row, strict=True)), _explain(grams.text, found))
            for label, row, found in zip(labels, rows_out, spans, strict=True)
        ]

    def recalibrated(
        self, temperature: float, thresholds: Mapping[str, Any], metadata: Mapping[str, Any]
    ) -> RiskModel:
        """The same weights with another calibration, operating point and metadata."""
        return RiskModel(
            vocabulary=self.vocabulary,
            idf=self.idf,
            weights=self.weights,
            bias=self.bias,
            temperature=temperature,
            thresholds=thresholds,
            ngram_range=self.ngram_range,
            table_bits=self.table_bits,
            metadata=metadata,
        )

    def to_bytes(self) -> bytes:
        """The artifact as bytes: deterministic for a given model."""
        header = {
            "classes": list(CLASSES),
            "ngram_range": list(self.ngram_range),
            "table_bits": self.table_bits,
            "temperature": self.temperature,
            "thresholds": self.thresholds,
            "metadata": self.metadata,
        }
        arrays: dict[str, npt.NDArray[Any]] = {
            "idf": self.idf.astype(np.float16),
            "weights": self.weights.astype(np.float16),
            "bias": self.bias,
        }
        return pack(header, self.vocabulary, arrays)

    def save(self, path: Path) -> None:
        """Write the artifact atomically: readers see the old file or the new, never half."""
        # A model is not a secret: others on the machine may read it.
        write_atomically(Path(path), self.to_bytes(), mode=0o644)

    @classmethod
    def from_bytes(cls, data: bytes, *, source: str = "model") -> RiskModel:
        """Read an artifact; anything wrong with it raises :class:`ModelError`."""
        try:
            header, vocabulary, arrays = unpack(data, source, CLASSES)
            return cls(
                vocabulary=vocabulary,
                idf=arrays["idf"],
                weights=arrays["weights"],
                bias=arrays["bias"],
                temperature=header["temperature"],
                thresholds=header["thresholds"],
                ngram_range=tuple(header["ngram_range"]),
                table_bits=header["table_bits"],
                metadata=header["metadata"],
            )
        except ModelError:
            raise
        except (zipfile.BadZipFile, LookupError, ValueError, TypeError) as exc:
            raise ModelError(f"{source}: not a valid risk model ({exc})") from exc

    @classmethod
    def load(cls, path: Path) -> RiskModel:
        """Read an artifact written by :meth:`save`."""
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ModelError(f"{path}: cannot read the risk model ({exc.strerror})") from exc
        return cls.from_bytes(data, source=str(path))

    @classmethod
    def load_default(cls) -> RiskModel:
        """The model shipped inside the package, loaded once per process."""
        return _default_model()


def softmax(logits: npt.NDArray[np.float64], temperature: float) -> npt.NDArray[np.float64]:
    """Row-wise softmax of ``logits / temperature`` (max-shifted, so it cannot overflow)."""
    scaled: npt.NDArray[np.float64] = np.asarray(logits, dtype=np.float64) / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    np.exp(scaled, out=scaled)
    scaled /= scaled.sum(axis=1, keepdims=True)
    return scaled


def _explain(text: str, spans: Sequence[tuple[int, int, float]]) -> tuple[Contribution, ...]:
    """Merge a message's strongest grams into phrases; drop those under 5 % of the top one,
    which explain nothing a reader can use."""
    phrases = merge_phrases(text, spans)[:EXPLAIN_TOP]
    if not phrases:
        return ()
    floor = 0.05 * phrases[0][1]
    return tuple(Contribution(p, w) for p, w in phrases if w >= floor)


@cache
def _default_model() -> RiskModel:
    resource = resources.files("smsguard.risk").joinpath("data", "model.npz")
    try:
        data = resource.read_bytes()
    except OSError as exc:
        raise ModelError("the shipped risk model is missing from the installation") from exc
    return RiskModel.from_bytes(data, source="shipped risk model")
