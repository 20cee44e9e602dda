"""What selection needs from a propensity model, so the two can be built and tested apart."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.sql.elements import ColumnElement


class Scorer(Protocol):
    """A model that scores customers inside the database.

    ``logit`` is an SQL expression over the columns of ``customer_profiles`` and
    ``customers`` (joined on the customer id); a higher value means a customer more likely to
    respond and repay. Selection orders and cuts by it without loading customers into Python.
    """

    name: str

    def logit(self) -> ColumnElement[float]:
        """The model's log-odds for the row being selected, as SQL."""
        ...

    def probability(self, logit: float) -> float:
        """The response probability for a log-odds value read back from the database."""
        ...

    def segment(self, probability: float) -> str:
        """The offer segment of a customer with this probability (e.g. ``"high"``)."""
        ...
