"""Response models for exercises: what learners may see (never hidden tests or reference files)."""

from typing import Any

from pydantic import BaseModel, ConfigDict

_SUMMARY_EXAMPLE: dict[str, Any] = {
    "slug": "activation-functions",
    "topic": "activation-functions",
    "title": "Numerically stable activation functions",
    "difficulty": "easy",
    "points": 8,
    "limits": {"timeout_s": 10, "memory_mb": 1024},
}


class ExerciseSummary(BaseModel):
    """One exercise in the catalogue list."""

    model_config = ConfigDict(json_schema_extra={"examples": [_SUMMARY_EXAMPLE]})

    slug: str
    topic: str
    title: str
    difficulty: str
    points: int
    limits: dict[str, Any]


class ExerciseRead(ExerciseSummary):
    """An exercise with what a learner needs to solve it: instructions, starter files, visible tests."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_SUMMARY_EXAMPLE,
                    "topic_title": "Activation functions",
                    "files": ["solution.py"],
                    "instructions": "# Activation functions\n\nImplement `sigmoid`, `tanh`, ...",
                    "starter_files": {"solution.py": "def sigmoid(x):\n    raise NotImplementedError\n"},
                    "visible_tests": {"test_visible.py": "from solution import sigmoid\n..."},
                    "content_hash": "sha256:ab12...",
                }
            ]
        }
    )

    topic_title: str
    files: list[str]
    instructions: str
    starter_files: dict[str, str]
    visible_tests: dict[str, str]
    content_hash: str
