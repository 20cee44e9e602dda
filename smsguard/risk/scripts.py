"""Writing systems and the per-script operating point.

Why thresholds per script: the held-out ham of the two writing systems is not alike. Chinese
ham (mudou) is labelled "wanted or not", so it holds shop adverts and chain messages that
look exactly like spam; English ham is plain personal mail. With one pooled threshold pair
the whole false-positive budget was spent on the Chinese adverts, and English spam was cut
at p ~ 0.96 for no English reason. Each script therefore gets its own pair, chosen on its
own held-out ham with the same budgets.

A text is ``han`` when its canonical form holds any CJK ideograph and ``latin`` otherwise
(English, but also digits-only or empty texts): one mixed ideograph is enough to say the
sender writes Chinese, and everything else the corpora hold is Latin script.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Script = Literal["han", "latin"]
Verdict = Literal["ham", "spam", "fraud"]
SCRIPTS: tuple[Script, ...] = ("han", "latin")
KINDS = ("spam", "fraud")

_IDEOGRAPH = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U000323af]")

ScriptThresholds = dict[str, dict[str, float]]


def script_of(canon_text: str) -> Script:
    """``han`` if the (canonical) text holds any CJK ideograph, else ``latin``."""
    return "han" if _IDEOGRAPH.search(canon_text) else "latin"


def han_mask(canon_texts: Sequence[str]) -> npt.NDArray[np.bool_]:
    """One boolean per text: True where :func:`script_of` says ``han``."""
    return np.fromiter(
        (_IDEOGRAPH.search(text) is not None for text in canon_texts),
        dtype=bool,
        count=len(canon_texts),
    )


def per_script(thresholds: Mapping[str, Any]) -> ScriptThresholds:
    """Validated per-script thresholds, ``{"han": {"spam", "fraud"}, "latin": {...}}``.

    A flat ``{"spam", "fraud"}`` pair is accepted and applies to both scripts: that is what a
    freshly fitted, not yet calibrated model and the evaluation's plain 0.5/0.5 cut mean.
    Anything else (a missing script or kind, a value outside [0, 1]) raises ``ValueError``.
    """
    if set(thresholds) == set(KINDS):
        thresholds = {script: thresholds for script in SCRIPTS}
    if set(thresholds) != set(SCRIPTS):
        raise ValueError(f"thresholds need the scripts {list(SCRIPTS)}, got {sorted(thresholds)}")
    out: ScriptThresholds = {}
    for script in SCRIPTS:
        pair = thresholds[script]
        if not isinstance(pair, Mapping) or set(pair) != set(KINDS):
            raise ValueError(f"thresholds of {script!r} need exactly {list(KINDS)}")
        values = {kind: float(pair[kind]) for kind in KINDS}
        if not all(0.0 <= value <= 1.0 for value in values.values()):
            raise ValueError("thresholds must lie in [0, 1]")
        out[script] = values
    return out


def apply_thresholds(
    spam_or_fraud: npt.NDArray[np.float64],
    fraud: npt.NDArray[np.float64],
    is_han: npt.NDArray[np.bool_],
    thresholds: ScriptThresholds,
) -> list[Verdict]:
    """The label rule with each row's own script thresholds.

    ``fraud`` if p(fraud) >= its fraud threshold, else ``spam`` if p(spam) + p(fraud) >= its
    spam threshold, else ``ham``. Takes the two sums rather than a probability matrix so the
    model and the evaluation (whose columns may come in another order) share it.
    """
    han, latin = thresholds["han"], thresholds["latin"]
    fraud_cut = np.where(is_han, han["fraud"], latin["fraud"])
    spam_cut = np.where(is_han, han["spam"], latin["spam"])
    is_fraud = (fraud >= fraud_cut).tolist()
    is_spam = (spam_or_fraud >= spam_cut).tolist()
    return [
        "fraud" if f else "spam" if s else "ham" for f, s in zip(is_fraud, is_spam, strict=True)
    ]
