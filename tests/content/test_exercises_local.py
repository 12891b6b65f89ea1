"""Every exercise validated with plain pytest (no sandbox): reference passes, starter fails, in time."""

from pathlib import Path

import pytest

from content.exercises import load_exercises
from content.validate_exercises import validate_exercises_locally

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.mark.slow
def test_every_exercise_validates_with_plain_pytest() -> None:
    specs, problems = load_exercises(CONTENT)
    assert problems == []
    reports = validate_exercises_locally(specs)
    failing = {report.slug: report.problems for report in reports if not report.ok}
    assert failing == {}
