"""Coalesced NOTIFYs after commits (api.jobs.announce), heard by a real LISTEN connection."""

import asyncio

import psycopg
import pytest

from api.async_db import AsyncDatabase, libpq_url
from api.jobs.announce import Announcer
from api.settings import Settings

pytestmark = pytest.mark.postgres_only
CHANNEL = "syllabus_test_announce"


async def _heard(listener: psycopg.AsyncConnection[tuple[object, ...]]) -> int:
    """Notifications that arrive on `listener` within a short quiet period."""
    count = 0
    while True:
        try:
            async with asyncio.timeout(0.5):
                async for _ in listener.notifies(stop_after=1):
                    count += 1
        except TimeoutError:
            return count


def test_announcements_coalesce_and_every_one_is_followed_by_a_notify(settings: Settings) -> None:
    async def main() -> tuple[int, int, int, int]:
        db = AsyncDatabase(settings.database_url)
        await db.open()
        listener = await psycopg.AsyncConnection.connect(libpq_url(settings.database_url), autocommit=True)
        await listener.execute(f"LISTEN {CHANNEL}")
        announcer = Announcer(db, CHANNEL)
        try:
            for _ in range(100):  # all before the first NOTIFY starts: one NOTIFY covers them
                announcer.announce()
            await announcer.stop()
            burst = announcer.sent, await _heard(listener)
            announcer.announce()
            await asyncio.sleep(0)  # the NOTIFY is on its way...
            announcer.announce()  # ...so this one needs (and gets) another after it
            await announcer.stop()
            return (*burst, announcer.sent - burst[0], await _heard(listener))
        finally:
            await listener.close()
            await db.close()

    sent, heard, sent_after, heard_after = asyncio.run(main())
    assert (sent, heard) == (1, 1)
    assert (sent_after, heard_after) == (2, 2)


def test_a_failed_notify_is_logged_and_the_next_announcement_tries_again(settings: Settings) -> None:
    async def main() -> tuple[int, int]:
        db = AsyncDatabase(settings.database_url)
        announcer = Announcer(db, CHANNEL)
        announcer.announce()  # the pool is not open: this NOTIFY fails
        await announcer.stop()
        failed = announcer.sent
        await db.open()
        try:
            announcer.announce()
            await announcer.stop()
            return failed, announcer.sent
        finally:
            await db.close()

    assert asyncio.run(main()) == (0, 1)
