"""Requests waiting together are scored together, and each gets its own answer."""

from __future__ import annotations

import threading
import time

import pytest

from serve.batching import Batcher

SLOW_FIRST_CALL = 0.3
"""Long enough for every other thread to be waiting when the first call returns."""


def submit_from_threads(batcher: Batcher, requests: list) -> dict:
    answers: dict = {}

    def ask(request):
        try:
            answers[request] = batcher.submit(request)
        except Exception as error:
            answers[request] = error

    threads = [threading.Thread(target=ask, args=(request,)) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


class Recorder:
    """Doubles numbers, fails on negative ones, and remembers each batch it was given."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    def __call__(self, requests):
        if not self.batches:
            time.sleep(SLOW_FIRST_CALL)
        self.batches.append(list(requests))
        return [ValueError(f"negative {n}") if n < 0 else 2 * n for n in requests]


def test_each_request_gets_its_own_answer_and_waiting_requests_share_a_call():
    recorder = Recorder()
    answers = submit_from_threads(Batcher(recorder, max_batch=64), list(range(8)))
    assert answers == {n: 2 * n for n in range(8)}
    assert sorted(n for batch in recorder.batches for n in batch) == list(range(8))
    assert len(recorder.batches) < 8


def test_a_failing_request_fails_alone():
    answers = submit_from_threads(Batcher(Recorder(), max_batch=64), [1, -1, 2])
    assert answers[1] == 2 and answers[2] == 4
    assert isinstance(answers[-1], ValueError)


def test_no_call_takes_more_than_the_batch_limit():
    recorder = Recorder()
    answers = submit_from_threads(Batcher(recorder, max_batch=3), list(range(10)))
    assert answers == {n: 2 * n for n in range(10)}
    assert max(len(batch) for batch in recorder.batches) <= 3


def test_a_scorer_that_breaks_fails_its_batch_and_the_next_requests_still_get_answers():
    calls = []

    def breaks_once(requests):
        calls.append(requests)
        if len(calls) == 1:
            raise RuntimeError("model unavailable")
        return list(requests)

    batcher = Batcher(breaks_once, max_batch=8)
    with pytest.raises(RuntimeError, match="model unavailable"):
        batcher.submit(1)
    assert batcher.submit(2) == 2
