"""The bundled e5 model's forward pass in plain torch: what questions are encoded with.

The e5 folder (``e5``) is a standard ``BertModel`` with mean pooling. Loading it through
sentence-transformers costs every serving process about 220 MB and 4-7 s of imports
(transformers, scikit-learn, scipy) and adds a generic layer of Python per question. This
module runs the same arithmetic on the same weights with the same ``tokenizer.json`` and
prompts, with torch functions only. Indexing still goes through sentence-transformers;
measured against it on corpus texts and the dev questions: cosine >= 0.9999999 in fp32,
>= 0.99999 in bf16.

Every text is encoded alone (``base.TextEncoder``): nothing is padded, so the attention
needs no mask and the mean pools every token.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from .base import TextEncoder, choose_precision, model_id, normalised, resolve_model
from .e5 import MODEL_NAME, PROMPTS
from .tokens import QueryTokenizer


class BertEncoder(TextEncoder):
    """multilingual-e5-small without sentence-transformers (same vectors; see module doc)."""

    def __init__(self, cache_dir: Path, threads: int = 2, precision: str = "auto") -> None:
        self._torch = torch = self._torch_for(threads)
        precision = choose_precision(precision)
        folder = Path(resolve_model(MODEL_NAME, Path(cache_dir), precision))
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.max_len = int(config["max_position_embeddings"])
        self.tokenizer = QueryTokenizer(folder, self.max_len)
        dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        weights = {k: v.to(dtype) for k, v in mapped(folder / "model.safetensors").items()}
        self._layers = [_layer(weights, f"encoder.layer.{i}.")
                        for i in range(int(config["num_hidden_layers"]))]
        self._embed = (weights["embeddings.word_embeddings.weight"],
                       weights["embeddings.position_embeddings.weight"],
                       weights["embeddings.token_type_embeddings.weight"][0],
                       weights["embeddings.LayerNorm.weight"],
                       weights["embeddings.LayerNorm.bias"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        super().__init__(model_id(MODEL_NAME), int(config["hidden_size"]), precision,
                         PROMPTS["query"], PROMPTS["passage"])

    def _encode_one(self, text: str) -> np.ndarray:
        ids = self._torch.tensor(self.tokenizer.ids([text]))
        return self._forward(ids)[0]

    def _forward(self, ids) -> np.ndarray:
        """Normalised vectors of rows of token ids of one length (no padding)."""
        f = self._torch.nn.functional
        words, positions, token_type, ln_w, ln_b = self._embed
        h = words[ids] + token_type + positions[: ids.shape[1]]  # BertEmbeddings' order
        h = f.layer_norm(h, h.shape[-1:], ln_w, ln_b, self.eps)
        for layer in self._layers:
            h = self._block(h, *layer)
        return normalised(h.float().mean(dim=1).numpy())

    def _block(self, h, qkv_w, qkv_b, out_w, out_b, ln1_w, ln1_b, up_w, up_b, down_w,
               down_b, ln2_w, ln2_b):
        f = self._torch.nn.functional
        batch, n, width = h.shape
        q, k, v = (f.linear(h, qkv_w, qkv_b).view(batch, n, 3, self.heads, -1)
                   .permute(2, 0, 3, 1, 4))
        attended = f.scaled_dot_product_attention(q, k, v)
        attended = attended.transpose(1, 2).reshape(batch, n, width)
        h = f.layer_norm(f.linear(attended, out_w, out_b) + h, (width,), ln1_w, ln1_b,
                         self.eps)
        hidden = f.gelu(f.linear(h, up_w, up_b))  # BERT's exact (erf) GELU
        return f.layer_norm(f.linear(hidden, down_w, down_b) + h, (width,), ln2_w, ln2_b,
                            self.eps)


def _layer(w: dict, p: str) -> tuple:
    """One encoder layer's tensors, query/key/value fused into one matrix (one matmul)."""
    import torch

    qkv_w = torch.cat([w[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")])
    qkv_b = torch.cat([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")])
    return (qkv_w, qkv_b,
            w[p + "attention.output.dense.weight"], w[p + "attention.output.dense.bias"],
            w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"],
            w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"],
            w[p + "output.dense.weight"], w[p + "output.dense.bias"],
            w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])


def mapped(path: Path) -> dict:
    """The tensors of a safetensors file as views of its memory map, not copies.

    The word embeddings are 96M of the model's 118M weights and a question reads a few dozen
    of their rows: mapped, only those pages become resident (about 190 MB less per serving
    process in bf16, 380 MB in fp32), and the pages are shared by all workers on a machine.
    ``safe_open`` maps the file (checked: the tensors count as file pages, not private memory).
    """
    from safetensors import safe_open

    with open(path, "rb") as fh:  # read the file ahead into the page cache (not into RSS):
        os.posix_fadvise(fh.fileno(), 0, 0, os.POSIX_FADV_WILLNEED)  # cold disk: ~15 ms a token
    with safe_open(str(path), framework="pt") as weights:
        return {name: weights.get_tensor(name) for name in weights.keys()}  # noqa: SIM118
