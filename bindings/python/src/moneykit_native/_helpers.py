"""Hand-written conveniences on the generated `IdentityResponse` (a mixin base class)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, List, Optional, Tuple, Union

from ._values import Timestamp

if TYPE_CHECKING:
    from ._models import AccountIdentity, IdentityResponse, Link, Owner


class IdentityResponseHelpers:
    """`refreshed_at`, `is_newer_than`, `account` and `owners` for `IdentityResponse`."""

    __slots__ = ()

    if TYPE_CHECKING:
        accounts: Tuple[AccountIdentity, ...]
        link: Link

    @property
    def refreshed_at(self) -> Optional[Timestamp]:
        """`link.products["identity"].refreshed_at`: when the owner data was last fetched
        (a `Timestamp`: an aware `datetime` that also says whether the server sent a bare
        date, `.date_only`, or no offset, `.assumed_utc`)."""
        product = self.link.products.get("identity")
        return product.refreshed_at if product is not None else None

    def is_newer_than(self, previous: Union[IdentityResponse, datetime, None]) -> bool:
        """True when this response carries identity data refreshed after `previous`.

        `previous` is an earlier response (or its `refreshed_at`, or None when there
        was none). The endpoint never triggers a fetch, so polling clients compare
        `refreshed_at` values: new data has arrived only when it increased. A response
        without `refreshed_at` is never newer; anything is newer than nothing.
        """
        mine = self.refreshed_at
        if mine is None:
            return False
        if previous is None or isinstance(previous, datetime):
            before = previous
        else:
            before = previous.refreshed_at
        return before is None or mine > before

    def account(self, account_id: str) -> Optional[AccountIdentity]:
        """The account with this id, or None."""
        for a in self.accounts:
            if a.account_id == account_id:
                return a
        return None

    @property
    def owners(self) -> List[Owner]:
        """Every owner of every account, in order (owners of joint accounts repeat)."""
        return [o for a in self.accounts for o in a.owners]
