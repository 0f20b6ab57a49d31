"""Job functions by name. A job function takes a `Progress` and keyword parameters."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache
from typing import Any, Protocol


class Progress(Protocol):
    def __call__(self, done: int, total: int | None, detail: str = "") -> None: ...


JobFunction = Callable[..., dict[str, Any] | None]

#: Modules whose job functions register themselves on import.
JOB_MODULES = (
    "demo.jobs",
    "accounts.jobs",
    "recruitment.jobs",
    "fieldwork.jobs",
    "results.jobs",
    "mirror.jobs",
    "paper.import_jobs",
    "paper.jobs",
    "exports.jobs",
)

_functions: dict[str, JobFunction] = {}


def job_function(
    name: str, private_params: bool = False, urgent: bool = False
) -> Callable[[JobFunction], JobFunction]:
    """Register a job function.

    `private_params`: the parameters hold personal data (an email address) and are erased
    from the job as soon as it has run. `urgent`: short jobs a person waits for (a login
    mail); the mail worker runs them too, so a long analysis never holds them up.
    """

    def register(function: JobFunction) -> JobFunction:
        function.private_params, function.urgent = private_params, urgent
        _functions[name] = function
        return function

    return register


def urgent_names() -> list[str]:
    _import_job_modules()
    return sorted(name for name, function in _functions.items() if function.urgent)


@cache
def _import_job_modules() -> None:
    for module in JOB_MODULES:
        importlib.import_module(module)


def get(name: str) -> JobFunction:
    _import_job_modules()
    try:
        return _functions[name]
    except KeyError:
        raise LookupError(f"no job function called {name!r}") from None
