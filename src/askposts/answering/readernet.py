"""The reader's network: e5's first layers read a question and an answer unit together.

A cross-encoder: ``<s> question </s></s> unit </s>`` goes through multilingual-e5-small's
frozen embeddings (the e5 folder's own tensors, mapped: never copied into our weights) and
the first ``layers`` transformer layers, fine-tuned; the mean of the last hidden states goes
through a linear head to one score (a logit: higher = the unit answers the question).

One functional forward serves training (``fitting.reader_fit``, parameters that learn,
dropout) and serving (``reader``, weights loaded once per process, no gradients), so the
two can never compute different arithmetic. Written with torch functions only, like
``embedding.encoder``: the layer is BERT's post-LayerNorm block with exact GELU.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

HIDDEN_NAMES = ("qkv.weight", "qkv.bias", "out.weight", "out.bias", "ln1.weight",
                "ln1.bias", "up.weight", "up.bias", "down.weight", "down.bias", "ln2.weight",
                "ln2.bias")
MAX_QUESTION = 48  # question tokens kept (with <s> and </s>)
MAX_PAIR = 128  # tokens of the pair at most: the unit is cut to fit
# Padded lengths are multiples of this: each new (rows, length) shape makes the CPU kernels
# keep buffers of their own, so few lengths keep a serving process small (measured: 164 ->
# 22 MB grown over 240 questions, for 5 % more arithmetic).
BUCKET = 16


def pair_ids(question: list[int], unit: list[int]) -> list[int]:
    """``<s> q </s></s> u </s>`` from each text's own ids (each with <s> ... </s>), cut to
    ``MAX_PAIR``; the unit's end is kept as </s>."""
    if len(question) > MAX_QUESTION:
        question = question[:MAX_QUESTION - 1] + question[-1:]
    room = MAX_PAIR - len(question) - 1  # the second </s> between the two
    body = unit[1:]
    if len(body) > room:
        body = body[:room - 1] + body[-1:]
    return question + [question[-1]] + body


def e5_layer(weights: dict, i: int) -> dict:
    """Layer ``i`` of the e5 checkpoint under the reader's names (query/key/value fused)."""
    import torch

    p = f"encoder.layer.{i}."
    qkv = ("query", "key", "value")
    return {
        "qkv.weight": torch.cat([weights[p + f"attention.self.{n}.weight"] for n in qkv]),
        "qkv.bias": torch.cat([weights[p + f"attention.self.{n}.bias"] for n in qkv]),
        "out.weight": weights[p + "attention.output.dense.weight"],
        "out.bias": weights[p + "attention.output.dense.bias"],
        "ln1.weight": weights[p + "attention.output.LayerNorm.weight"],
        "ln1.bias": weights[p + "attention.output.LayerNorm.bias"],
        "up.weight": weights[p + "intermediate.dense.weight"],
        "up.bias": weights[p + "intermediate.dense.bias"],
        "down.weight": weights[p + "output.dense.weight"],
        "down.bias": weights[p + "output.dense.bias"],
        "ln2.weight": weights[p + "output.LayerNorm.weight"],
        "ln2.bias": weights[p + "output.LayerNorm.bias"],
    }


class Embeddings:
    """e5's embedding tables (mapped from its folder): token ids -> first hidden states."""

    def __init__(self, weights: dict, eps: float, dtype: "torch.dtype | None" = None) -> None:
        cast = (lambda t: t.to(dtype)) if dtype is not None else (lambda t: t)  # noqa: E731
        self.words = cast(weights["embeddings.word_embeddings.weight"])
        self.positions = cast(weights["embeddings.position_embeddings.weight"])
        self.token_type = cast(weights["embeddings.token_type_embeddings.weight"][0])
        self.ln = (cast(weights["embeddings.LayerNorm.weight"]),
                   cast(weights["embeddings.LayerNorm.bias"]))
        self.eps = eps

    def __call__(self, ids: "torch.Tensor") -> "torch.Tensor":
        import torch.nn.functional as f

        h = self.words[ids] + self.token_type + self.positions[: ids.shape[1]]
        return f.layer_norm(h, h.shape[-1:], self.ln[0], self.ln[1], self.eps)


def padded(rows: Sequence[list[int]], pad: int
           ) -> "tuple[torch.Tensor, torch.Tensor | None]":
    """Token rows padded to the longest, rounded up to a multiple of ``BUCKET``: (ids, keep)
    tensors, or (ids, None) when all rows fill that length (no mask: the exact path)."""
    import torch

    longest = -(-max(map(len, rows)) // BUCKET) * BUCKET
    if all(len(r) == longest for r in rows):
        return torch.tensor(list(rows)), None
    ids = torch.tensor([r + [pad] * (longest - len(r)) for r in rows])
    keep = torch.tensor([[True] * len(r) + [False] * (longest - len(r)) for r in rows])
    return ids, keep


def forward(params: dict, layers: int, heads: int, eps: float, h: "torch.Tensor",
            keep: "torch.Tensor | None" = None, dropout: float = 0.0) -> "torch.Tensor":
    """Scores (batch,) of first hidden states ``h`` (batch, tokens, width); ``keep`` marks
    real tokens (None: all real). ``params`` holds ``layer.{i}.*`` and ``head.*``."""
    import torch.nn.functional as f

    mask = None if keep is None else keep[:, None, None, :]
    for i in range(layers):
        h = _block(h, mask, eps, heads, dropout, *(params[f"layer.{i}.{n}"]
                                                  for n in HIDDEN_NAMES))
    if keep is None:
        pooled = h.mean(dim=1)
    else:
        weight = keep[..., None].to(h.dtype)
        pooled = (h * weight).sum(dim=1) / weight.sum(dim=1)
    return f.linear(pooled, params["head.weight"], params["head.bias"])[:, 0]


def _block(h, mask, eps, heads, dropout, qkv_w, qkv_b, out_w, out_b, ln1_w, ln1_b, up_w,
           up_b, down_w, down_b, ln2_w, ln2_b):
    import torch.nn.functional as f

    batch, n, width = h.shape
    q, k, v = f.linear(h, qkv_w, qkv_b).view(batch, n, 3, heads, -1).permute(2, 0, 3, 1, 4)
    attended = f.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    attended = attended.transpose(1, 2).reshape(batch, n, width)
    out = f.dropout(f.linear(attended, out_w, out_b), dropout, dropout > 0)
    h = f.layer_norm(out + h, (width,), ln1_w, ln1_b, eps)
    hidden = f.gelu(f.linear(h, up_w, up_b))
    out = f.dropout(f.linear(hidden, down_w, down_b), dropout, dropout > 0)
    return f.layer_norm(out + h, (width,), ln2_w, ln2_b, eps)


def score_rows(embed: Embeddings, params: dict, layers: int, heads: int, eps: float,
               rows: Sequence[list[int]], pad: int, chunk: int, dropout: float = 0.0,
               key: Callable[[list[int]], object] = len) -> "torch.Tensor":
    """Scores of token rows (pairs), in the rows' order. Rows sorted by ``key`` (their
    length first) run together in chunks of ``chunk``: padding every row to the longest of
    a whole batch would double the work."""
    import torch

    order = sorted(range(len(rows)), key=lambda i: key(rows[i]))
    out = []
    for s in range(0, len(order), chunk):
        ids, keep = padded([rows[i] for i in order[s:s + chunk]], pad)
        h = embed(ids).to(params["head.weight"].dtype)
        out.append(forward(params, layers, heads, eps, h, keep, dropout))
    scores = torch.cat(out)
    back = torch.empty(len(order), dtype=torch.long)
    back[torch.tensor(order)] = torch.arange(len(order))
    return scores[back]
