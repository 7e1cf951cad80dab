"""Questions that wait together are encoded together (``batching.QuestionBatcher``)."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from fastapi.testclient import TestClient

from askposts.caching import LRU
from askposts.embedding.batching import QuestionBatcher
from askposts.serving.gate import Gate
from askposts.serving.http import create_api
from askposts.serving.service import AskService


class Recorder:
    """A stand-in encoder: one row per text, records each pass, can be held or fail."""

    def __init__(self, fail_first: bool = False) -> None:
        self.calls: list[list[str]] = []
        self.entered, self.release = threading.Event(), threading.Event()
        self.release.set()
        self.fail_first = fail_first

    def __call__(self, texts):
        self.calls.append(list(texts))
        self.entered.set()
        assert self.release.wait(5)
        if self.fail_first and len(self.calls) == 1:
            raise RuntimeError("encoder down")
        return np.array([[len(t), i] for i, t in enumerate(texts)], np.float32)


def test_the_waiting_questions_ride_along_and_are_then_cached():
    enc = Recorder()
    batcher = QuestionBatcher(enc, LRU(100), size=3)
    with batcher.expecting("dos"), batcher.expecting("tres"), batcher.expecting("cuatro"):
        first = batcher.vector("uno")
        assert enc.calls == [["uno", "dos", "tres"]]  # oldest waiting first, at most size
        assert batcher.vector("dos")[0] == 3 and len(enc.calls) == 1  # ready when its turn came
        batcher.vector("cuatro")
    assert enc.calls[1] == ["cuatro"] and first.dtype == np.float32
    assert (batcher.passes, batcher.encoded) == (2, 4)
    assert batcher.vector("uno") is first and len(enc.calls) == 2  # cached, not re-encoded


def test_a_question_being_encoded_is_waited_for_not_encoded_twice():
    enc = Recorder()
    enc.release.clear()
    batcher = QuestionBatcher(enc, LRU(100))
    with batcher.expecting("b"), ThreadPoolExecutor(2) as pool:
        a = pool.submit(batcher.vector, "a")
        assert enc.entered.wait(5)  # "a"'s pass has taken "b" along and is running
        b = pool.submit(batcher.vector, "b")
        enc.release.set()
        assert a.result(5)[1] == 0 and b.result(5)[1] == 1
    assert enc.calls == [["a", "b"]]


def test_a_failed_pass_is_retried_by_those_who_waited_on_it():
    enc = Recorder(fail_first=True)
    enc.release.clear()
    batcher = QuestionBatcher(enc, LRU(100))
    with batcher.expecting("b"), ThreadPoolExecutor(2) as pool:
        a = pool.submit(batcher.vector, "a")
        assert enc.entered.wait(5)
        b = pool.submit(batcher.vector, "b")
        enc.release.set()
        with pytest.raises(RuntimeError):
            a.result(5)
        assert b.result(5)[0] == 1
    assert enc.calls == [["a", "b"], ["b"]]


def test_without_a_cache_only_the_askers_own_question_is_encoded():
    enc = Recorder()
    batcher = QuestionBatcher(enc, LRU(0))
    with batcher.expecting("b"):
        batcher.vector("a")
    assert enc.calls == [["a"]]


def test_api_requests_waiting_for_a_slot_share_passes_and_get_their_own_answers(fake_index):
    # One slot, twelve different questions at once: most wait, and their questions are
    # encoded with the slot holder's. Each still gets exactly the answer it gets alone.
    questions = [f"¿Qué hicimos sobre datos abiertos en el taller {i}?" for i in range(12)]
    before = fake_index._batcher.passes
    gate = Gate(1, 10.0)
    client = TestClient(create_api(AskService(fake_index, gate)))
    with ThreadPoolExecutor(12) as pool:
        with gate.slot():  # everyone has to wait: all twelve are queued before any encodes
            sent = [pool.submit(client.get, "/api/ask", params={"q": q}) for q in questions]
            deadline = time.monotonic() + 10
            while gate.waiting < 12 and time.monotonic() < deadline:
                time.sleep(0.01)
        got = [f.result(10) for f in sent]
    assert [r.status_code for r in got] == [200] * 12
    assert fake_index._batcher.passes - before == 1  # the first to get the slot took them all
    alone = [fake_index.embedder.embed_query(q) for q in questions]
    assert all(np.array_equal(fake_index.cached_vector(q), v) for q, v in zip(questions, alone))
    assert [r.json()["question"] for r in got] == questions
