"""A question's vector is computed once, alone, however many ask it at once (``inflight``)."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from fastapi.testclient import TestClient

from askposts.caching import LRU
from askposts.embedding.inflight import QuestionVectors
from askposts.serving.gate import Gate
from askposts.serving.http import create_api
from askposts.serving.service import AskService


class Recorder:
    """A stand-in encoder of one text: records each pass, can be held or fail."""

    def __init__(self, fail_first: bool = False) -> None:
        self.calls: list[str] = []
        self.entered, self.release = threading.Event(), threading.Event()
        self.release.set()
        self.fail_first = fail_first

    def __call__(self, text):
        self.calls.append(text)
        self.entered.set()
        assert self.release.wait(5)
        if self.fail_first and len(self.calls) == 1:
            raise RuntimeError("encoder down")
        return np.array([len(text), len(self.calls)], np.float64)


def test_a_question_is_encoded_alone_then_cached():
    enc = Recorder()
    vectors = QuestionVectors(enc, LRU(100))
    first = vectors.vector("uno")
    assert first.dtype == np.float32 and enc.calls == ["uno"]
    assert vectors.vector("uno") is first and enc.calls == ["uno"]  # cached
    vectors.vector("dos")
    assert enc.calls == ["uno", "dos"] and vectors.passes == 2


def test_the_same_question_asked_at_once_is_encoded_once():
    enc = Recorder()
    enc.release.clear()
    vectors = QuestionVectors(enc, LRU(100))
    with ThreadPoolExecutor(3) as pool:
        a = pool.submit(vectors.vector, "a")
        assert enc.entered.wait(5)  # "a" is being encoded
        b, c = pool.submit(vectors.vector, "a"), pool.submit(vectors.vector, "a")
        time.sleep(0.05)  # both are waiting for that pass, not starting their own
        enc.release.set()
        assert a.result(5) is b.result(5) is c.result(5)
    assert enc.calls == ["a"]


def test_a_failed_pass_is_retried_by_those_who_waited_on_it():
    enc = Recorder(fail_first=True)
    enc.release.clear()
    vectors = QuestionVectors(enc, LRU(100))
    with ThreadPoolExecutor(2) as pool:
        a = pool.submit(vectors.vector, "a")
        assert enc.entered.wait(5)
        b = pool.submit(vectors.vector, "a")
        time.sleep(0.05)
        enc.release.set()
        with pytest.raises(RuntimeError):
            a.result(5)
        assert b.result(5)[1] == 2  # its own second pass
    assert enc.calls == ["a", "a"]


def test_without_a_cache_every_asking_encodes_again():
    enc = Recorder()
    vectors = QuestionVectors(enc, LRU(0))
    vectors.vector("a")
    vectors.vector("a")
    assert enc.calls == ["a", "a"]


def test_many_requests_at_once_each_get_the_vector_it_gets_alone(fake_index):
    # One slot, twelve different questions at once: each vector is exactly its own alone.
    questions = [f"¿Qué hicimos sobre datos abiertos en el taller {i}?" for i in range(12)]
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
    alone = [fake_index.embedder.embed_query(q) for q in questions]
    assert all(np.array_equal(fake_index.cached_vector(q), v) for q, v in zip(questions, alone))
    assert [r.json()["question"] for r in got] == questions
