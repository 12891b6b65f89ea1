"""The exercise library loads cleanly, targets real topics, and its loader reports every problem."""

import shutil
from pathlib import Path

import pytest
import yaml

from content.exercises import ExerciseSpec, content_hash, count_test_points, load_exercises

CONTENT = Path(__file__).resolve().parents[2] / "content"
ISSUE_MINIMUM = 16


@pytest.fixture(scope="module")
def library() -> list[ExerciseSpec]:
    specs, problems = load_exercises(CONTENT)
    assert problems == []
    return specs


def test_library_is_large_enough_and_ids_are_in_range(library: list[ExerciseSpec]) -> None:
    assert len(library) >= ISSUE_MINIMUM
    assert all(1001 <= spec.id <= 1999 for spec in library)
    assert len({spec.id for spec in library}) == len(library)


def test_every_topic_exists_in_the_curriculum(library: list[ExerciseSpec]) -> None:
    slugs = set()
    for path in sorted((CONTENT / "topics").glob("*.yaml")):
        slugs |= {topic["slug"] for topic in yaml.safe_load(path.read_text(encoding="utf-8"))}
    unknown = {spec.slug: spec.topic for spec in library if spec.topic not in slugs}
    assert unknown == {}


def test_every_exercise_has_partial_credit_and_hidden_tests(library: list[ExerciseSpec]) -> None:
    for spec in library:
        hidden = [name for name in spec.test_points if name.split("::")[0] in spec.hidden_tests]
        assert len(hidden) >= 4, spec.slug
        assert spec.visible_tests, spec.slug
        assert spec.points == sum(spec.test_points.values())
        assert "NotImplementedError" in spec.starter_files["solution.py"] or (
            spec.starter_files != spec.reference_files
        )


def test_points_are_read_statically() -> None:
    source = """
import pytest

@pytest.mark.points(3)
def test_a(): ...

def test_b(): ...

@pytest.mark.parametrize("x", [1, 2])
@pytest.mark.points(2)
def test_c(x): ...

class TestGroup:
    @pytest.mark.points(5)
    def test_d(self): ...

def helper(): ...
"""
    assert count_test_points(source, "test_x.py") == {
        "test_a": 3,
        "test_b": 1,
        "test_c": 4,
        "TestGroup::test_d": 5,
    }
    with pytest.raises(ValueError, match="positive int"):
        count_test_points("import pytest\n@pytest.mark.points(0)\ndef test_z(): ...\n", "t.py")


@pytest.fixture
def copy_of_library(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT / "exercises", root / "exercises", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _first_exercise(root: Path) -> Path:
    return sorted(p for p in (root / "exercises").iterdir() if p.is_dir())[0]


def test_content_hash_changes_when_any_file_changes(copy_of_library: Path) -> None:
    exercise = _first_exercise(copy_of_library)
    seen = {content_hash(exercise)}
    for path in sorted(p for p in exercise.rglob("*") if p.is_file()):
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        seen.add(content_hash(exercise))
        path.write_bytes(original)
    assert content_hash(exercise) in seen
    files = [p for p in exercise.rglob("*") if p.is_file()]
    assert len(seen) == len(files) + 1
    (exercise / "tests" / "test_hidden.py").rename(exercise / "tests" / "test_hidden2.py")
    assert content_hash(exercise) not in seen
    (exercise / "tests" / "test_hidden2.py").rename(exercise / "tests" / "test_hidden.py")
    (exercise / "notes.txt").write_text("new file")
    assert content_hash(exercise) not in seen


def test_content_hash_of_loaded_spec_matches_directory(library: list[ExerciseSpec]) -> None:
    spec = library[0]
    assert spec.content_hash == content_hash(CONTENT / "exercises" / spec.slug)
    assert spec.content_hash.startswith("sha256:")


def _edit_manifest(exercise: Path, **changes: object) -> None:
    manifest = exercise / "exercise.yaml"
    data = yaml.safe_load(manifest.read_text())
    data.update(changes)
    manifest.write_text(yaml.safe_dump(data))


def _messages(root: Path) -> list[str]:
    _, problems = load_exercises(root)
    return [f"{p.location}: {p.message}" for p in problems]


def test_loader_reports_unknown_keys_and_wrong_slug(copy_of_library: Path) -> None:
    exercise = _first_exercise(copy_of_library)
    _edit_manifest(exercise, points=10, slug="something-else")
    messages = _messages(copy_of_library)
    assert any("exercise.yaml.points" in m and "Extra inputs" in m for m in messages)
    _edit_manifest(exercise, slug="something-else")
    data = yaml.safe_load((exercise / "exercise.yaml").read_text())
    del data["points"]
    (exercise / "exercise.yaml").write_text(yaml.safe_dump(data))
    assert any("differs from directory name" in m for m in _messages(copy_of_library))


def test_loader_reports_bad_yaml(copy_of_library: Path) -> None:
    exercise = _first_exercise(copy_of_library)
    (exercise / "exercise.yaml").write_text("id: [1001\n")
    assert any("invalid YAML" in m for m in _messages(copy_of_library))


def test_loader_reports_duplicate_ids(copy_of_library: Path) -> None:
    first, second = sorted(p for p in (copy_of_library / "exercises").iterdir() if p.is_dir())[:2]
    _edit_manifest(second, id=yaml.safe_load((first / "exercise.yaml").read_text())["id"])
    specs, problems = load_exercises(copy_of_library)
    assert any("already used" in p.message for p in problems)
    assert len({s.id for s in specs}) == len(specs)


def test_loader_reports_missing_files_and_bad_test_names(copy_of_library: Path) -> None:
    exercise = _first_exercise(copy_of_library)
    (exercise / "reference" / "solution.py").unlink()
    (exercise / "tests" / "checks.py").write_text("def test_x(): pass\n")
    _edit_manifest(exercise, visible_tests=["test_visible.py", "test_missing.py"])
    messages = _messages(copy_of_library)
    assert any("missing reference file solution.py" in m for m in messages)
    assert any("checks.py" in m and "test_*.py" in m for m in messages)
    assert any("test_missing.py is not in tests/" in m for m in messages)
    (exercise / "instructions.md").unlink()
    assert any("missing instructions.md" in m for m in _messages(copy_of_library))
