"""Calendar days in registers, and whether an entry is in force on the day a scan is judged at.

A register is judged at one ``as_of`` day (UTC), recorded in its results, so an evidence package
re-evaluated a year later gives the same answer as on the day it was built. Both ends of an
entry's validity are inclusive: ``created <= as_of <= expires``.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Validity(StrEnum):
    IN_FORCE = "in_force"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"


def today_utc() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def parse_day(text: str) -> dt.date:
    """``YYYY-MM-DD`` and nothing else (no time, no week dates); ValueError says what is wrong."""
    if not _DAY.fullmatch(text):
        raise ValueError(f"{text!r} is not a date like 2026-10-01")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid date ({exc})") from None


def validity(created: dt.date, expires: dt.date, as_of: dt.date) -> Validity:
    if as_of < created:
        return Validity.NOT_YET_VALID
    if as_of > expires:
        return Validity.EXPIRED
    return Validity.IN_FORCE
