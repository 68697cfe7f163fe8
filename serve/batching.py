"""Dynamic batching: requests that arrive together are scored together, in one model call.

A model call costs about the same for one row as for a few dozen (the gradient-boosting
predictor pays a fixed cost per tree per call), so under concurrent load the server scores
every waiting request at once instead of queueing each behind the others. No extra thread:
the first request to find the scorer idle leads, takes every request waiting at that moment,
scores them and wakes the others; requests that arrived meanwhile elect the next leader.
Answers do not depend on batching because each request is scored on its own rows only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Request = TypeVar("Request")
Answer = TypeVar("Answer")


@dataclass
class _Ticket(Generic[Request, Answer]):
    request: Request
    done: bool = False
    answer: Answer | None = None
    error: BaseException | None = None


class Batcher(Generic[Request, Answer]):
    """Runs ``score_all`` over the requests waiting together (at most ``max_batch``).

    ``score_all`` gets a list of requests and returns, in order, an answer or an exception
    per request; an exception is raised to that request's caller only.
    """

    def __init__(
        self,
        score_all: Callable[[Sequence[Request]], list[Answer | BaseException]],
        *,
        max_batch: int,
    ) -> None:
        self._score_all = score_all
        self._max_batch = max_batch
        self._waiting: list[_Ticket] = []
        self._leading = False
        self._changed = threading.Condition()

    def submit(self, request: Request) -> Answer:
        """The answer to ``request``, scored alone or with the requests waiting with it."""
        ticket = _Ticket(request)
        with self._changed:
            self._waiting.append(ticket)
        while not ticket.done:
            with self._changed:
                while self._leading and not ticket.done:
                    self._changed.wait()
                if ticket.done:
                    break
                batch = self._waiting[: self._max_batch]
                del self._waiting[: self._max_batch]
                self._leading = True
            self._lead(batch)
        if ticket.error is not None:
            raise ticket.error
        return ticket.answer

    def _lead(self, batch: list[_Ticket]) -> None:
        interrupted = RuntimeError("scoring was interrupted")
        answers: list = [interrupted] * len(batch)
        try:
            answers = self._score_all([ticket.request for ticket in batch])
            if len(answers) != len(batch):
                raise RuntimeError(f"{len(answers)} answers for {len(batch)} requests")
        except Exception as error:
            answers = [error] * len(batch)
        finally:
            with self._changed:
                for ticket, answer in zip(batch, answers, strict=True):
                    if isinstance(answer, BaseException):
                        ticket.error = answer
                    else:
                        ticket.answer = answer
                    ticket.done = True
                self._leading = False
                self._changed.notify_all()
