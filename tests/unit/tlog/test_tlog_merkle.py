"""RFC 6962/9162 hashing, proof generation and fail-closed verification against the vectors."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tlog_vectors import hexes, vectors

from smsguard.errors import LogError
from smsguard.tlog import merkle

MERKLE = vectors("merkle")
REFERENCE = MERKLE["reference_tree"]
TREE = merkle.MemoryTree([merkle.leaf_hash(leaf) for leaf in hexes(REFERENCE["leaves_hex"])])


@pytest.mark.parametrize("case", MERKLE["hasher_examples"], ids=lambda c: c["desc"])
def test_hasher_examples(case: dict[str, Any]) -> None:
    if case["kind"] == "empty_root":
        got = merkle.root_of([])
    elif case["kind"] == "leaf":
        got = merkle.leaf_hash(bytes.fromhex(case["data_hex"]))
    else:
        got = merkle.node_hash(bytes.fromhex(case["left_hex"]), bytes.fromhex(case["right_hex"]))
    assert got.hex() == case["expected_hex"]


def test_reference_tree_hashes_and_roots() -> None:
    assert [h.hex() for h in TREE.levels[0]] == REFERENCE["leaf_hashes_hex"]
    for level, expected in enumerate(REFERENCE["node_hashes_by_level"]["levels"]):
        assert [TREE.node(level, i).hex() for i in range(len(expected))] == expected
    for size, root in REFERENCE["roots_by_size"].items():
        assert merkle.tree_root(TREE, int(size)).hex() == root
        assert merkle.root_of(TREE.levels[0][: int(size)]).hex() == root


@pytest.mark.parametrize("case", MERKLE["inclusion_proofs"], ids=lambda c: str(c["leaf_index"]))
def test_reference_inclusion_proofs_verify_and_regenerate(case: dict[str, Any]) -> None:
    proof = hexes(case["proof"])
    assert merkle.inclusion_proof(TREE, case["leaf_index"], case["tree_size"]) == proof
    leaf = merkle.leaf_hash(bytes.fromhex(case["leaf_data_hex"]))
    assert leaf.hex() == case["leaf_hash"]
    merkle.verify_inclusion(
        leaf, case["leaf_index"], case["tree_size"], proof, bytes.fromhex(case["root"])
    )


@pytest.mark.parametrize("case", MERKLE["consistency_proofs"], ids=lambda c: str(c["size1"]))
def test_reference_consistency_proofs_verify_and_regenerate(case: dict[str, Any]) -> None:
    proof = hexes(case["proof"])
    assert merkle.consistency_proof(TREE, case["size1"], case["size2"]) == proof
    merkle.verify_consistency(
        case["size1"],
        case["size2"],
        bytes.fromhex(case["root1"]),
        bytes.fromhex(case["root2"]),
        proof,
    )


def _verdict(check: Any) -> str:
    try:
        check()
    except LogError:
        return "invalid"
    return "valid"


@pytest.mark.parametrize("case", MERKLE["inclusion_probes"]["probes"], ids=lambda c: c["file"])
def test_inclusion_probes_strict(case: dict[str, Any]) -> None:
    verdict = _verdict(
        lambda: merkle.verify_inclusion(
            bytes.fromhex(case["leaf_hash"]),
            case["leaf_index"],
            case["tree_size"],
            hexes(case["proof"]),
            bytes.fromhex(case["root"]),
        )
    )
    assert verdict == case.get("strict_expected", case["expected"])


def _consistency(case: dict[str, Any]) -> None:
    merkle.verify_consistency(
        case["size1"],
        case["size2"],
        bytes.fromhex(case["root1"]),
        bytes.fromhex(case["root2"]),
        hexes(case["proof"]),
    )


@pytest.mark.parametrize("case", MERKLE["consistency_probes"]["probes"], ids=lambda c: c["file"])
def test_consistency_probes_strict(case: dict[str, Any]) -> None:
    verdict = _verdict(lambda: _consistency(case))
    assert verdict == case.get("strict_expected", case["expected"])


@pytest.mark.parametrize("case", MERKLE["other_consistency_proofs"], ids=lambda c: c["name"])
def test_other_consistency_proofs(case: dict[str, Any]) -> None:
    assert _verdict(lambda: _consistency(case)) == case["expected"]
    if "leaf_hashes_hex" in case:  # the synthetic litewitness tree: regenerate its proof
        tree = merkle.MemoryTree(hexes(case["leaf_hashes_hex"]))
        assert merkle.tree_root(tree, case["size2"]).hex() == case["root2"]


@pytest.mark.parametrize("case", MERKLE["real_world_inclusion_proofs"], ids=lambda c: c["name"])
def test_real_world_inclusion(case: dict[str, Any]) -> None:
    leaf = merkle.leaf_hash(base64.b64decode(case["leaf_data_b64"]))
    assert leaf.hex() == case["leaf_hash"]
    args = (case["leaf_index"], case["tree_size"], hexes(case["proof"]))
    merkle.verify_inclusion(leaf, *args[:2], args[2], bytes.fromhex(case["root"]))
    with pytest.raises(LogError):
        merkle.verify_inclusion(leaf, args[0] + 1, args[1], args[2], bytes.fromhex(case["root"]))


def test_real_world_consistency() -> None:
    case = MERKLE["real_world_consistency_proofs"][0]
    _consistency(case)
    with pytest.raises(LogError):
        _consistency({**case, "size1": case["size1"] + 1})


def test_fail_closed_messages() -> None:
    good = TREE.levels[0][0]
    root = merkle.tree_root(TREE, 8)
    proof = merkle.inclusion_proof(TREE, 0, 8)
    with pytest.raises(LogError, match="not inside a tree of size 8"):
        merkle.verify_inclusion(good, 8, 8, proof, root)
    with pytest.raises(LogError, match="leaf hash is 31 bytes"):
        merkle.verify_inclusion(good[:31], 0, 8, proof, root)
    with pytest.raises(LogError, match="has 2 hashes, not 3"):
        merkle.verify_inclusion(good, 0, 8, proof[:2], root)
    with pytest.raises(LogError, match="proves nothing"):
        merkle.verify_consistency(0, 8, merkle.EMPTY_ROOT, root, [])
    with pytest.raises(LogError, match="larger than new"):
        merkle.verify_consistency(8, 4, root, root, [])


def _tree(size: int) -> merkle.MemoryTree:
    return merkle.MemoryTree([merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(size)])


SIZES = st.integers(min_value=1, max_value=600)


@given(data=st.data(), size=SIZES)
def test_every_inclusion_proof_verifies_and_any_mutation_fails(
    data: st.DataObject, size: int
) -> None:
    tree = _tree(size)
    index = data.draw(st.integers(0, size - 1))
    root = tree.root()
    proof = merkle.inclusion_proof(tree, index, size)
    assert len(proof) == merkle.inclusion_proof_length(index, size)
    merkle.verify_inclusion(tree.node(0, index), index, size, proof, root)
    if proof:
        position = data.draw(st.integers(0, len(proof) - 1))
        bit = data.draw(st.integers(0, 255))
        mutated = list(proof)
        mutated[position] = _flip(mutated[position], bit)
        with pytest.raises(LogError):
            merkle.verify_inclusion(tree.node(0, index), index, size, mutated, root)
        with pytest.raises(LogError):
            merkle.verify_inclusion(tree.node(0, index), index, size, proof[:-1], root)
    other = data.draw(st.integers(0, size - 1))
    if other != index:
        with pytest.raises(LogError):
            merkle.verify_inclusion(tree.node(0, index), other, size, proof, root)


@given(data=st.data(), new=SIZES)
def test_every_consistency_proof_verifies_and_any_mutation_fails(
    data: st.DataObject, new: int
) -> None:
    tree = _tree(new)
    old = data.draw(st.integers(1, new))
    old_root, new_root = merkle.tree_root(tree, old), tree.root()
    proof = merkle.consistency_proof(tree, old, new)
    merkle.verify_consistency(old, new, old_root, new_root, proof)
    if proof:
        position = data.draw(st.integers(0, len(proof) - 1))
        mutated = list(proof)
        mutated[position] = _flip(mutated[position], data.draw(st.integers(0, 255)))
        with pytest.raises(LogError):
            merkle.verify_consistency(old, new, old_root, new_root, mutated)
        with pytest.raises(LogError):
            merkle.verify_consistency(old, new, old_root, new_root, [*proof, proof[0]])
    if old < new:
        with pytest.raises(LogError):
            merkle.verify_consistency(old, new, _flip(old_root, 0), new_root, proof)


def _flip(value: bytes, bit: int) -> bytes:
    raw = bytearray(value)
    raw[bit // 8] ^= 1 << (bit % 8)
    return bytes(raw)
