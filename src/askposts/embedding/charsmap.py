"""Build a SentencePiece "precompiled charsmap" from a per-code-point table.

The Hugging Face ``tokenizers`` ``Precompiled`` normalizer reads the format that SentencePiece
stores in its models: ``u32 trie_size`` (bytes), a darts-clone double-array trie whose keys are
the UTF-8 bytes of a source string and whose values are offsets into a blob of NUL-terminated
replacement strings, then that blob. Nothing on PyPI builds one from a table, so this does.
"""
from __future__ import annotations

import struct

_LEAF_BIT = 1 << 31
_HAS_LEAF = 1 << 8


def _offset_bits(offset: int) -> int:
    # darts-clone stores offsets in 21 bits, or shifted by 8 with bit 9 set.
    if offset < (1 << 21):
        return offset << 10
    if offset & 0xFF or offset >= (1 << 29):
        raise ValueError(f"offset {offset} does not fit a darts-clone unit")
    return (offset << 2) | (1 << 9)


def _build_trie(keys: dict[bytes, int]) -> dict:
    root: dict = {}
    for key, value in keys.items():
        if not key or 0 in key:
            raise ValueError(f"invalid trie key {key!r}")
        node = root
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = value
    return root


class _Slots:
    """Free/used bookkeeping for the unit array, growing on demand."""

    def __init__(self) -> None:
        self.used = bytearray(1024)
        self.used[0] = 1  # the root unit
        self.first_free = 1

    def is_free(self, pos: int) -> bool:
        while pos >= len(self.used):
            self.used.extend(bytearray(len(self.used)))
        return not self.used[pos]

    def take(self, pos: int) -> None:
        self.is_free(pos)
        self.used[pos] = 1
        while self.first_free < len(self.used) and self.used[self.first_free]:
            self.first_free += 1

    def find_base(self, labels: list[int]) -> int:
        pos = self.first_free
        while True:
            if self.is_free(pos):
                base = pos ^ labels[0]
                if base and all(self.is_free(base ^ c) for c in labels):
                    return base
            pos += 1


def double_array(keys: dict[bytes, int]) -> list[int]:
    """Return darts-clone units for ``keys`` (byte strings -> 31-bit values)."""
    units: dict[int, int] = {0: 0}
    slots = _Slots()
    stack = [(_build_trie(keys), 0)]
    while stack:
        node, pos = stack.pop()
        labels = sorted(b for b in node if b is not None)
        needed = ([0] if None in node else []) + labels
        base = slots.find_base(needed)
        for c in needed:
            slots.take(base ^ c)
        units[pos] = units.get(pos, 0) | _offset_bits(pos ^ base)
        if None in node:
            units[pos] |= _HAS_LEAF
            units[base] = _LEAF_BIT | node[None]
        for c in labels:
            units[base ^ c] = c
            stack.append((node[c], base ^ c))
    # Lookups XOR any byte into a position, so every touched 256-unit block must exist.
    size = (max(units) // 256 + 1) * 256
    return [units.get(i, 0) for i in range(size)]


def precompiled_charsmap(table: dict[str, str]) -> bytes:
    """Pack ``{source character: replacement}`` into SentencePiece's charsmap bytes."""
    blob = bytearray()
    keys: dict[bytes, int] = {}
    for source, target in sorted(table.items()):
        keys[source.encode("utf-8")] = len(blob)
        blob += target.encode("utf-8") + b"\0"
    units = double_array(keys)
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(blob)
