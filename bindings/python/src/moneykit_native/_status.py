"""`Status`: the C library's `enum mk_status`, value for value."""

from __future__ import annotations

import enum
from typing import Optional


class Status(enum.IntEnum):
    """Result of every C call (`enum mk_status` in `moneykit.h`).

    Member names drop the C prefix: `MK_OK` is `Status.OK`, `MK_ERR_NOT_FOUND` is
    `Status.NOT_FOUND`. Numbers are stable and never reused. A number this version does
    not know (from a newer library) becomes a pseudo-member named `UNKNOWN_<n>` rather
    than an error.
    """

    OK = 0
    INVALID_ARGUMENT = 1
    TRANSPORT = 2
    TIMEOUT = 3
    DECODE = 4
    UNAUTHORIZED = 5
    FORBIDDEN = 6
    NOT_FOUND = 7
    LINK_DELETED = 8
    LINK_BAD_STATE = 9
    RATE_LIMITED = 10
    SERVER = 11
    HTTP = 12
    INTERNAL = 13

    @classmethod
    def _missing_(cls, value: object) -> Optional[Status]:
        if isinstance(value, int) and not isinstance(value, bool):
            member = int.__new__(cls, value)
            member._name_ = f"UNKNOWN_{value}"
            member._value_ = value
            return member
        return None

    @property
    def c_name(self) -> str:
        """The C name, e.g. `"MK_ERR_NOT_FOUND"` (what `mk_status_name` returns)."""
        if self.name.startswith("UNKNOWN_"):
            return "unknown status"
        return "MK_OK" if self is Status.OK else f"MK_ERR_{self.name}"

    def describe(self) -> str:
        """The library's one-line English description (`mk_status_describe`)."""
        from ._native import status_describe

        return status_describe(int(self))
