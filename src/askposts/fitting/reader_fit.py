"""Train the reader (``answering.readernet``) listwise, on CPU, with a fixed seed.

Each step reads ``batch`` questions; each question is a list of units (its answer unit, other
units of its paragraph or post, units of another text of the same article) and the loss is
the softmax cross-entropy of the answer unit among them. e5's embeddings stay frozen (they
are not ours to ship); its first ``layers`` layers and a linear head learn, with AdamW, a
linear warm-up and a linear decay to zero over the planned questions. Every
``checkpoint_every`` questions the weights are saved and measured on the held-out items, so a
long run can be stopped at any checkpoint and its learning curve read from the log.
"""
from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..answering import readernet
from .reader_data import ReaderItem, group_of, other_units, sample_others

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class ReaderFitConfig:
    layers: int = 6
    questions: int = 60000  # the schedule's length: questions seen in all
    batch: int = 8  # questions per step
    same: int = 3  # other units of the same paragraph / post per question
    others: int = 1  # units of another text of the same article / site
    lr: float = 5e-5
    head_lr: float = 1e-3
    warmup: int = 100  # steps
    dropout: float = 0.1
    seed: int = 13
    checkpoint_every: int = 2000  # questions
    stop_after: int = 0  # stop at this many questions (0: the whole schedule)
    bf16: bool = False  # bfloat16 autocast: 10 % faster here, not worth the rounding


class Tokens:
    """Token ids of texts by e5's full tokenizer, memoised (units repeat across questions)."""

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        self._tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tok.no_truncation()
        self.pad = self._tok.token_to_id("<pad>") or 1
        self._memo: dict[str, list[int]] = {}

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        new = [t for t in dict.fromkeys(texts) if t not in self._memo]
        for text, enc in zip(new, self._tok.encode_batch(new)):
            self._memo[text] = enc.ids[:512]
        return [self._memo[t] for t in texts]


class E5Parts:
    """What the reader borrows from the e5 folder: embeddings, config, first layers."""

    def __init__(self, folder: Path, dtype: "torch.dtype | None" = None) -> None:
        from ..embedding.encoder import mapped

        self.folder = folder
        self.config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.weights = mapped(folder / "model.safetensors")
        self.eps = float(self.config["layer_norm_eps"])
        self.heads = int(self.config["num_attention_heads"])
        self.embed = readernet.Embeddings(self.weights, self.eps, dtype)

    def initial(self, layers: int) -> dict:
        """Trainable float32 copies of the first ``layers`` layers and a zero head."""
        import torch

        params = {}
        for i in range(layers):
            for name, t in readernet.e5_layer(self.weights, i).items():
                params[f"layer.{i}.{name}"] = t.detach().float().clone()
        width = int(self.config["hidden_size"])
        params["head.weight"] = torch.zeros(1, width)
        params["head.bias"] = torch.zeros(1)
        return params


def score_pairs(parts: E5Parts, params: dict, layers: int, rows: list[list[int]],
                pad: int, dropout: float = 0.0, chunk: int = 12) -> "torch.Tensor":
    """Scores of token rows (pairs), in the rows' order (``readernet.score_rows``)."""
    return readernet.score_rows(parts.embed, params, layers, parts.heads, parts.eps, rows,
                                pad, chunk, dropout)


def p_at_1(parts: E5Parts, tokens: Tokens, params: dict, layers: int,
           items: Sequence[ReaderItem], bf16: bool = False) -> float:
    """Share of items whose best-scored unit holds the answer."""
    import torch

    right = 0
    with torch.inference_mode(), torch.autocast("cpu", torch.bfloat16, enabled=bf16):
        for item in items:
            q = tokens.ids([item.question])[0]
            rows = [readernet.pair_ids(q, u) for u in tokens.ids(list(item.units))]
            scores = score_pairs(parts, params, layers, rows, tokens.pad).float()
            right += int(int(torch.argmax(scores)) in item.answers)
    return right / max(len(items), 1)


STATE = "state.pt"  # beside the checkpoint: what a resumed run needs to go on exactly
SAME_RUN = ("layers", "questions", "batch", "same", "others", "lr", "head_lr", "warmup",
            "dropout", "seed", "bf16")  # settings a resumed run must share


def train(parts: E5Parts, tokens: Tokens, items: list[ReaderItem], cfg: ReaderFitConfig,
          out: Path, held_out: dict[str, list[ReaderItem]] | None = None,
          log: Callable[[str], None] = print, resume: bool = False,
          clock: Callable[[], float] = time.monotonic) -> dict:
    """Train on ``items`` (cycled in a seeded order); checkpoints and a learning curve in
    ``out``. With ``resume``, go on from the last checkpoint in ``out`` exactly as if the run
    had never stopped (several sessions add up to one long run, its curve's minutes too).
    Returns the trained parameters (float32)."""
    import torch

    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    out.mkdir(parents=True, exist_ok=True)
    params = {k: torch.nn.Parameter(v) for k, v in parts.initial(cfg.layers).items()}
    head = [params["head.weight"], params["head.bias"]]
    body = [p for k, p in params.items() if not k.startswith("head.")]
    opt = torch.optim.AdamW([{"params": body, "lr": cfg.lr},
                             {"params": head, "lr": cfg.head_lr}], weight_decay=0.01)
    steps = max(1, cfg.questions // cfg.batch)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / cfg.warmup) * max(0.0, 1 - s / steps))
    pool = other_units(items)
    order = list(range(len(items)))
    rng.shuffle(order)
    first, seen, curve = _resumed(out, cfg, params, opt, sched, rng, log) if resume \
        else (0, 0, [])
    spent = curve[-1]["minutes"] if curve else 0.0  # minutes of the sessions before
    start, losses = clock(), []
    last = min(steps, -(-cfg.stop_after // cfg.batch)) if cfg.stop_after else steps
    for step in range(first, last):
        batch = [items[order[(step * cfg.batch + j) % len(order)]] for j in range(cfg.batch)]
        rows, sizes = [], []
        for item in batch:
            texts, _ = group_of(item, rng, cfg.same, sample_others(item, pool, rng, cfg.others))
            q = tokens.ids([item.question])[0]
            rows += [readernet.pair_ids(q, u) for u in tokens.ids(texts)]
            sizes.append(len(texts))
        with torch.autocast("cpu", torch.bfloat16, enabled=cfg.bf16):
            scores = score_pairs(parts, params, cfg.layers, rows, tokens.pad, cfg.dropout)
        loss = sum(-torch.log_softmax(g.float(), 0)[0] for g in scores.split(sizes))
        loss = loss / len(batch)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(params.values()), 1.0)
        opt.step()
        sched.step()
        seen += len(batch)
        losses.append(float(loss.detach()))
        if seen % cfg.checkpoint_every < cfg.batch or step == last - 1:
            point = {"questions": seen, "minutes": round(spent + (clock() - start) / 60, 1),
                     "loss": round(sum(losses) / len(losses), 4)}
            losses = []
            for name, held in (held_out or {}).items():
                point[name] = round(p_at_1(parts, tokens, params, cfg.layers, held,
                                           cfg.bf16), 4)
            curve.append(point)
            log(json.dumps(point))
            save(params, cfg, out / "checkpoint.safetensors", {"curve": curve})
            _save_state(out / STATE, cfg, step + 1, seen, curve, params, opt, sched, rng)
    (out / "curve.json").write_text(json.dumps({"config": asdict(cfg), "curve": curve},
                                               indent=1))
    return {k: v.detach() for k, v in params.items()}


def _save_state(path: Path, cfg: ReaderFitConfig, step: int, seen: int, curve: list,
                params: dict, opt, sched, rng: random.Random) -> None:
    """Everything a resumed run needs (weights in float32, the optimizer's moments, the
    schedule, both random generators), written whole or not at all."""
    import torch

    state = {"config": asdict(cfg), "step": step, "seen": seen, "curve": curve,
             "params": {k: v.detach() for k, v in params.items()},
             "opt": opt.state_dict(), "sched": sched.state_dict(), "rng": rng.getstate(),
             "torch_rng": torch.get_rng_state()}
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    tmp.replace(path)


def _resumed(out: Path, cfg: ReaderFitConfig, params: dict, opt, sched, rng: random.Random,
             log: Callable[[str], None]) -> tuple[int, int, list]:
    """Restore the last checkpoint's state in place: (next step, questions seen, curve)."""
    import torch

    from ..answering.reader import ReaderError
    from ..spanish import messages as msg

    path = out / STATE
    try:
        state = torch.load(path, weights_only=False)
    except (OSError, RuntimeError, EOFError) as exc:
        raise ReaderError(msg.READER_NO_STATE.format(path=path, error=exc)) from exc
    other = [k for k in SAME_RUN if state["config"].get(k) != getattr(cfg, k)]
    if other:
        raise ReaderError(msg.READER_OTHER_RUN.format(path=path, names=", ".join(other)))
    with torch.no_grad():
        for k, v in state["params"].items():
            params[k].copy_(v)
    opt.load_state_dict(state["opt"])
    sched.load_state_dict(state["sched"])
    rng.setstate(state["rng"])
    torch.set_rng_state(state["torch_rng"])
    log(f"lector: se reanuda tras {state['seen']} preguntas")
    return state["step"], state["seen"], state["curve"]


def save(params: dict, cfg: ReaderFitConfig, path: Path, info: dict) -> None:
    """The trained layers and head in float16 (half the size; scores move < 1e-3),
    written whole or not at all."""
    import torch
    from safetensors.torch import save_file

    tensors = {k: v.detach().to(torch.float16).contiguous() for k, v in params.items()}
    meta = {"format": "1", "layers": str(cfg.layers), "max_pair": str(readernet.MAX_PAIR),
            "info": json.dumps(info)}
    tmp = path.with_suffix(".tmp")
    save_file(tensors, str(tmp), metadata=meta)
    tmp.replace(path)
