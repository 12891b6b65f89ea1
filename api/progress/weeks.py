"""Week and day arithmetic in a learner's IANA timezone and week start (zoneinfo, stdlib only).

A week id is the ISO-8601 week (`YYYY-Www`) of the week's *start date* in the learner's calendar. With the
default Monday start this is plain ISO numbering. With another start day the week is the 7 days beginning on
that weekday inside ISO week `Www`: for a Sunday start, `2026-W48` is Sunday 2026-11-29 to Saturday
2026-12-05 (Sunday is the last day of ISO week 48), so a week id always names the ISO week its first day
falls in. A week covers the instants [local midnight of its start date, local midnight 7 days later), and a
day [local midnight, next local midnight): 23 or 25 hours across a DST change.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from api.errors import UnprocessableContent

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEK_ID_RE = re.compile(r"^(\d{4})-W(\d{2})$")


class InvalidWeek(UnprocessableContent):
    """The week is neither `current` nor a valid ISO week id."""

    code = "invalid-week"


@dataclass(frozen=True)
class Week:
    """One week of one learner's calendar, with its UTC bounds and its days' UTC bounds."""

    id: str
    timezone: str
    week_start: str
    start_date: date

    @property
    def starts_at(self) -> datetime:
        """The first instant of the week (UTC)."""
        return local_midnight_utc(self.start_date, self.timezone)

    @property
    def ends_at(self) -> datetime:
        """The first instant after the week (UTC)."""
        return local_midnight_utc(self.start_date + timedelta(days=7), self.timezone)

    def days(self) -> list[tuple[date, datetime, datetime]]:
        """Each local date of the week with its [start, end) instants in UTC."""
        out = []
        for offset in range(7):
            day = self.start_date + timedelta(days=offset)
            out.append(
                (
                    day,
                    local_midnight_utc(day, self.timezone),
                    local_midnight_utc(day + timedelta(1), self.timezone),
                )
            )
        return out

    def previous(self) -> "Week":
        """The week before, in the same calendar."""
        return week_starting(
            self.start_date - timedelta(days=7), timezone=self.timezone, week_start=self.week_start
        )


def local_midnight_utc(day: date, timezone: str) -> datetime:
    """The instant local `day` begins in `timezone`.

    A midnight skipped by DST (clocks jump from 00:00) resolves, with PEP 495 `fold=0`, to the transition
    instant itself, so days still tile the timeline without gaps or overlaps.
    """
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def week_id_of(start: date) -> str:
    """The ISO week id of a week starting on `start`."""
    year, number, _ = start.isocalendar()
    return f"{year}-W{number:02d}"


def week_starting(start: date, *, timezone: str, week_start: str) -> Week:
    """The week whose first local date is `start`."""
    return Week(id=week_id_of(start), timezone=timezone, week_start=week_start, start_date=start)


def week_containing(instant: datetime, *, timezone: str, week_start: str) -> Week:
    """The week that holds `instant` in this calendar."""
    local_day = instant.astimezone(ZoneInfo(timezone)).date()
    back = (local_day.weekday() - WEEKDAYS.index(week_start)) % 7
    return week_starting(local_day - timedelta(days=back), timezone=timezone, week_start=week_start)


def local_date_of(instant: datetime, timezone: str) -> date:
    """The learner's calendar date at `instant`."""
    return instant.astimezone(ZoneInfo(timezone)).date()


def parse_week(week: str, *, timezone: str, week_start: str, now: datetime) -> Week:
    """`current` or `YYYY-Www` as a week of this calendar; 422 for anything else."""
    if week == "current":
        return week_containing(now, timezone=timezone, week_start=week_start)
    match = WEEK_ID_RE.match(week)
    if match is None:
        raise InvalidWeek(f"week: {week!r} is not `current` or an ISO week like 2026-W48", field="week")
    try:
        start = date.fromisocalendar(int(match[1]), int(match[2]), WEEKDAYS.index(week_start) + 1)
    except ValueError as exc:
        raise InvalidWeek(f"week: {week!r} does not exist ({exc})", field="week") from exc
    return week_starting(start, timezone=timezone, week_start=week_start)


def week_ordinal(week_id: str) -> int:
    """A number that grows by one per ISO week, so consecutive weeks are easy to spot."""
    match = WEEK_ID_RE.match(week_id)
    if match is None:
        raise ValueError(f"not a week id: {week_id!r}")
    return date.fromisocalendar(int(match[1]), int(match[2]), 1).toordinal() // 7
