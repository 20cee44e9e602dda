"""The layers point one way: the screening core never imports the edges."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "smsguard"
EDGES = ("smsguard.cli", "smsguard.bulk", "smsguard.scanio", "smsguard.bootstrap")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_screening_core_does_not_import_the_edges() -> None:
    allowed_lazy = {PACKAGE / "screening" / "__init__.py"}  # default_screener() uses bootstrap
    for path in (PACKAGE / "screening").rglob("*.py"):
        if path in allowed_lazy:
            continue
        bad = {name for name in _imports(path) if name.startswith(EDGES)}
        assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"


def test_public_names_exist() -> None:
    """Each public package's ``__all__`` names real objects (ruff's RUF022 keeps it sorted)."""
    import smsguard
    import smsguard.scanio
    import smsguard.screening
    import smsguard.screening.facts

    for module in (smsguard, smsguard.screening, smsguard.scanio, smsguard.screening.facts):
        names = list(module.__all__)
        assert len(names) == len(set(names)), module.__name__
        assert all(hasattr(module, name) for name in names), module.__name__


def test_run_time_scoring_never_imports_training_tools() -> None:
    """The model and the index run on numpy alone; scikit-learn is a training extra."""
    training_only = ("sklearn", "scipy", "datasketch", "smsguard.training")
    for package in ("risk", "fingerprints"):
        for path in (PACKAGE / package).rglob("*.py"):
            bad = {name for name in _imports(path) if name.startswith(training_only + EDGES)}
            assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"


def test_screening_knows_the_learned_half_only_through_its_port() -> None:
    for path in (PACKAGE / "screening").rglob("*.py"):
        bad = {
            n for n in _imports(path) if n.startswith(("smsguard.risk", "smsguard.fingerprints"))
        }
        assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"


def test_screening_knows_shared_intel_only_through_its_port() -> None:
    """Screening asks shared indicators through ``screening.shared_intel.IntelLookup``; the
    intel package implements it, and neither side reaches for the edges."""
    for path in (PACKAGE / "screening").rglob("*.py"):
        bad = {n for n in _imports(path) if n.startswith("smsguard.intel")}
        assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"
    for path in (PACKAGE / "intel").rglob("*.py"):
        bad = {n for n in _imports(path) if n.startswith((*EDGES, "smsguard.api", "smsguard.web"))}
        assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"
