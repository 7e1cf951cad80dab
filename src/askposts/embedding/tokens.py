"""Question tokens for the bundled e5 model with a fifth of the tokenizer's memory.

e5's tokenizer knows 250,002 pieces of a hundred scripts, and ``tokenizers`` keeps them in a
trie that costs 280 MB of private memory in every serving process (measured; the file is
17 MB). The site and its visitors write in Latin script. So the query encoder uses the
pieces made only of Latin or Greek letters, punctuation, signs and emoji, mapped back to the
model's ids. For text made only of those characters (after the tokenizer's own normalisation)
no dropped piece can match, so the ids are exactly the full tokenizer's
(``tests/test_encoder.py`` checks on the corpus and every question set). Text in another
script goes to the full tokenizer, loaded for it and let go a minute later.
"""
from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tokenizers import Tokenizer

PRUNED = "tokenizer-reduced-2.json"  # the number changes with the rule in ``kept``
PRUNED_IDS = "tokenizer-reduced-2.npz"  # the model's id of each piece; the tokens dropped
SPECIAL = 4  # <s> <pad> </s> <unk>: the first pieces, kept where they are
KEEP_FULL = 60.0  # seconds the full tokenizer stays loaded after its last use


def kept(char: str) -> bool:
    """A character the reduced tokenizer covers: Latin letters and signs, Greek (science
    writes it), punctuation, currency, letter-like signs, arrows, maths, technical signs
    (⏰ ⏳), the word-start mark, symbols, arrows (⬇ ⭐), emoji and the variation selector
    that asks for an emoji's colour form (❤️: 15 of the 16 corpus passages that needed the
    full tokenizer had it)."""
    o = ord(char)
    return (o < 0x250 or 0x370 <= o < 0x400 or 0x2000 <= o < 0x2400 or char == "▁"
            or 0x2500 <= o < 0x27C0 or 0x2B00 <= o < 0x2C00 or 0xFE00 <= o < 0xFE10
            or 0x1F000 <= o < 0x1FB00)


def prune(folder: Path) -> Path:
    """Write the reduced tokenizer beside ``tokenizer.json`` once (atomically); its path."""
    target = folder / PRUNED
    if target.is_file():
        return target
    data = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    vocab = data["model"]["vocab"]
    keep = [i for i, (piece, _) in enumerate(vocab) if i < SPECIAL or all(map(kept, piece))]
    data["model"]["vocab"] = [vocab[i] for i in keep]
    # Added tokens past the special ones (<mask>) would clash with the new ids: texts that
    # hold them go to the full tokenizer.
    dropped = [t["content"] for t in data.get("added_tokens", []) if t["id"] >= SPECIAL]
    data["added_tokens"] = [t for t in data.get("added_tokens", []) if t["id"] < SPECIAL]
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tokenizer-ids-", suffix=".npz")
    with os.fdopen(fd, "wb") as fh:
        np.savez(fh, ids=np.asarray(keep, dtype=np.int64), special=np.asarray(dropped, str))
    os.replace(tmp, folder / PRUNED_IDS)  # before the JSON: the JSON says both are there
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tokenizer-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False)
    os.replace(tmp, target)
    return target


class QueryTokenizer:
    """Ids of texts as e5's full tokenizer gives them, truncated to ``max_len``."""

    def __init__(self, folder: Path, max_len: int) -> None:
        from tokenizers import Tokenizer

        path = prune(folder)
        with np.load(folder / PRUNED_IDS) as saved:
            self._to_model, self._special = saved["ids"], [str(t) for t in saved["special"]]
        self._small = Tokenizer.from_file(str(path))
        self._small.enable_truncation(max_len)
        self._folder, self._max_len = folder, max_len
        self._full: Tokenizer | None = None
        self._full_until = 0.0
        self._lock = threading.Lock()
        self.pad_id = self._small.token_to_id("<pad>") or 0

    def _fits(self, text: str) -> bool:
        if any(s in text for s in self._special):
            return False
        return all(map(kept, self._small.normalizer.normalize_str(text)))

    def full(self) -> "Tokenizer":
        """The full tokenizer (280 MB; 0.5 s to load), for the rare text in another script.
        Loaded once for all the requests of the next ``KEEP_FULL`` seconds, then let go (by
        the next call after that), so one such question does not keep a serving process
        280 MB bigger for the rest of its life, and a burst of them loads it once."""
        from tokenizers import Tokenizer

        with self._lock:
            if self._full is None:
                self._full = Tokenizer.from_file(str(self._folder / "tokenizer.json"))
                self._full.enable_truncation(self._max_len)
            self._full_until = time.monotonic() + KEEP_FULL
            return self._full

    def _let_go(self) -> None:
        with self._lock:
            if self._full is not None and time.monotonic() > self._full_until:
                self._full = None

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Each text's token ids, with <s> and </s>."""
        self._let_go()
        small = [i for i, t in enumerate(texts) if self._fits(t)]
        other = sorted(set(range(len(texts))) - set(small))
        out: list[list[int]] = [[] for _ in texts]
        for i, enc in zip(small, self._small.encode_batch([texts[i] for i in small])):
            out[i] = self._to_model[enc.ids].tolist()
        if other:
            for i, enc in zip(other, self.full().encode_batch([texts[i] for i in other])):
                out[i] = enc.ids
        return out
