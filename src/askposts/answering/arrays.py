"""Small array helpers shared by the ranking and answering stages."""
from __future__ import annotations

import numpy as np


def minmax(x: np.ndarray) -> np.ndarray:
    """``x`` scaled to 0..1 (all zeros when its values are equal or it is empty)."""
    if not len(x):
        return np.zeros_like(x)
    lo, hi = x.min(), x.max()
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


def per_post_max(values: np.ndarray, owners: np.ndarray, n_posts: int) -> np.ndarray:
    """Per owner, the highest of its ``values`` (-inf for owners without any)."""
    out = np.full(n_posts, -np.inf, dtype=np.float32)
    if len(values):
        np.maximum.at(out, owners, values)
    return out


def rows_and_owners(first: np.ndarray, posts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row ids of every passage (or unit, or window) of ``posts``, given where each post
    starts (``first``), in order; and for each row the position of its post in ``posts``."""
    posts = np.asarray(posts, np.int64)
    starts, lengths = first[posts], first[posts + 1] - first[posts]
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    owners = np.repeat(np.arange(len(posts)), lengths)
    return (offsets + np.arange(int(lengths.sum()))).astype(np.int64), owners


def rank_of(values: np.ndarray) -> np.ndarray:
    """0 for the best (highest) value, 1 for the next, ... (ties share the better rank)."""
    return np.searchsorted(np.sort(-values), -values, side="left").astype(np.float32)
