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
JOB_MODULES = ("demo.jobs", "accounts.jobs")

_functions: dict[str, JobFunction] = {}


def job_function(name: str, private_params: bool = False) -> Callable[[JobFunction], JobFunction]:
    """Register a job function; with `private_params` (personal data such as an email
    address), the parameters are erased from the job as soon as it has run."""

    def register(function: JobFunction) -> JobFunction:
        function.private_params = private_params
        _functions[name] = function
        return function

    return register


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
