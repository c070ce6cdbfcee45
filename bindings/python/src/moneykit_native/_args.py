"""Arguments as the C ABI takes them, checked the same way by every call."""

from __future__ import annotations

from ._error_json import invalid_argument


def c_text(name: str, value: object) -> bytes:
    """A str argument as the NUL-terminated UTF-8 the C ABI takes."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if "\0" in value:
        # C would see the string cut at the NUL: a different id than the caller's.
        raise invalid_argument(f"{name} contains a NUL character")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid_argument(f"{name} is not valid Unicode (lone surrogate)") from None


__all__ = ["c_text"]
