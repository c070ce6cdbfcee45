"""Hand-written conveniences of the generated records (`_records_gen`): what is Python's
idiom and not in the schema, such as durations in seconds beside the schema's `*_ms`."""

from __future__ import annotations


class BatchProgressHelpers:
    """`BatchProgress`'s derived values."""

    paused_ms: int
    elapsed_ms: int
    rate_per_minute: float

    @property
    def paused_for(self) -> float:
        """How much longer a 429's `Retry-After` holds every worker, in seconds (0: not paused)."""
        return self.paused_ms / 1000.0

    @property
    def elapsed(self) -> float:
        """Seconds since the batch started."""
        return self.elapsed_ms / 1000.0

    @property
    def rate(self) -> float:
        """Results per second over the last 10 s (`rate_per_minute / 60`)."""
        return self.rate_per_minute / 60.0


__all__ = ["BatchProgressHelpers"]
