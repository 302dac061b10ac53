"""What a backend's health check reports: :class:`Check`, one line of ``medscribe doctor``.

Shared by :mod:`medscribe.backends.aws.doctor` and :mod:`medscribe.backends.local.doctor`,
which own what each backend checks; :meth:`medscribe.backends.Backend.checks` runs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from medscribe.config import Missing

#: A check's outcome.
CheckStatus = Literal["ok", "fail", "skip"]
OK: Final = "ok"
FAIL: Final = "fail"
SKIP: Final = "skip"


@dataclass(slots=True)
class Check:
    """One line of the doctor's table."""

    name: str
    status: CheckStatus
    detail: str
    #: The missing setting behind a failure, so that the CLI can name the flag that sets it.
    missing: Missing | None = None

    @property
    def ok(self) -> bool:
        return self.status != FAIL


__all__ = ["FAIL", "OK", "SKIP", "Check", "CheckStatus"]
