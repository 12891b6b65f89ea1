"""The no-sandbox validation path (`validate-exercises --no-sandbox`), checked on one exercise.

Every exercise is validated in the real sandbox by test_exercises_sandbox.py; running all of them again
cold through plain pytest (minutes of torch imports) would check nothing more.
"""

from pathlib import Path

from content.exercises import load_exercises
from content.validate_exercises import validate_exercises_locally

CONTENT = Path(__file__).resolve().parents[2] / "content"


def test_plain_pytest_validation_of_one_exercise() -> None:
    specs, problems = load_exercises(CONTENT)
    assert problems == []
    spec = next(s for s in specs if s.slug == "maximum-likelihood")
    (report,) = validate_exercises_locally([spec])
    assert report.ok, report.problems
    assert report.starter_hidden_failures > 0
