"""Load the exercise library from ``content/exercises/<slug>/`` into validated, hashed specs."""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from content.loader import format_location
from content.schema import ContentProblem

EXERCISES_DIR = "exercises"
MANIFEST = "exercise.yaml"
INSTRUCTIONS = "instructions.md"
STARTER_DIR = "starter"
TESTS_DIR = "tests"
REFERENCE_DIR = "reference"
HIDDEN_TESTS_PREFIX = "test_"


class ExerciseLimits(BaseModel):
    """Resource limits one graded run of an exercise gets."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout_s: int = Field(ge=1, le=120)
    memory_mb: int = Field(ge=64, le=8192)


class ExerciseManifest(BaseModel):
    """The reviewed fields of ``exercise.yaml``; points are derived from the tests, never written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: int = Field(ge=1)
    slug: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    title: str = Field(min_length=1)
    topic: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    difficulty: Literal["easy", "medium", "hard"]
    files: tuple[str, ...] = Field(min_length=1)
    visible_tests: tuple[str, ...] = ()
    limits: ExerciseLimits

    @field_validator("files", "visible_tests")
    @classmethod
    def _plain_python_names(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        for name in names:
            if "/" in name or "\\" in name or name.startswith(".") or not name.endswith(".py"):
                raise ValueError(f"{name!r} must be a plain .py file name")
        if len(set(names)) != len(names):
            raise ValueError("names must be unique")
        return names


@dataclass(frozen=True)
class ExerciseSpec:
    """Everything the database sync, the API and the runner need to know about one exercise."""

    id: int
    slug: str
    title: str
    topic: str
    difficulty: str
    files: tuple[str, ...]
    limits: dict[str, int]
    points: int
    instructions: str
    starter_files: dict[str, str]
    visible_tests: dict[str, str]
    hidden_tests: dict[str, str]
    reference_files: dict[str, str]
    content_hash: str
    test_points: dict[str, int] = field(default_factory=dict)

    @property
    def all_tests(self) -> dict[str, str]:
        """Visible and hidden test files together: what a graded run executes."""
        return {**self.visible_tests, **self.hidden_tests}


def content_hash(exercise_dir: Path) -> str:
    """Hash every file under ``exercise_dir``: relative path and bytes, in sorted path order."""
    digest = hashlib.sha256()
    files = sorted(
        (p for p in exercise_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts),
        key=lambda p: p.relative_to(exercise_dir).as_posix(),
    )
    for path in files:
        rel = path.relative_to(exercise_dir).as_posix().encode()
        data = path.read_bytes()
        # length prefixes keep (path, bytes) boundaries unambiguous
        digest.update(len(rel).to_bytes(8, "big") + rel)
        digest.update(len(data).to_bytes(8, "big") + data)
    return "sha256:" + digest.hexdigest()


def _marker_call(decorator: ast.expr, name: str) -> ast.Call | None:
    """Return the call node when ``decorator`` is ``pytest.mark.<name>(...)`` (or ``mark.<name>``)."""
    if not isinstance(decorator, ast.Call):
        return None
    func = decorator.func
    if isinstance(func, ast.Attribute) and func.attr == name:
        owner = func.value
        if isinstance(owner, ast.Attribute) and owner.attr == "mark":
            return decorator
        if isinstance(owner, ast.Name) and owner.id == "mark":
            return decorator
    return None


def _test_functions(tree: ast.Module) -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Top-level ``test_*`` functions and ``test_*`` methods of ``Test*`` classes, with test ids."""
    found: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            found.append((node.name, node))
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name.startswith("test"):
                    found.append((f"{node.name}::{item.name}", item))
    return found


def count_test_points(source: str, filename: str) -> dict[str, int]:
    """Map each test in ``source`` to its points, read statically from ``@pytest.mark.points(n)``.

    A test without the marker is worth 1. A ``parametrize`` with a literal list counts once per case.
    Raises ``ValueError`` on a marker whose argument is not a positive integer literal.
    """
    tree = ast.parse(source, filename=filename)
    points: dict[str, int] = {}
    for test_id, func in _test_functions(tree):
        value = 1
        cases = 1
        for decorator in func.decorator_list:
            call = _marker_call(decorator, "points")
            if call is not None:
                arg = call.args[0] if len(call.args) == 1 and not call.keywords else None
                if not (isinstance(arg, ast.Constant) and type(arg.value) is int and arg.value > 0):
                    raise ValueError(f"{filename}:{func.lineno}: @pytest.mark.points needs one positive int")
                value = arg.value
            param = _marker_call(decorator, "parametrize")
            if param is not None and len(param.args) >= 2:
                values = param.args[1]
                if isinstance(values, (ast.List, ast.Tuple)):
                    cases *= len(values.elts)
        points[test_id] = value * cases
    return points


def _read_dir(directory: Path) -> dict[str, str]:
    return {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(directory.iterdir())
        if p.is_file() and p.suffix == ".py"
    }


def _load_one(exercise_dir: Path, content_root: Path) -> tuple[ExerciseSpec | None, list[ContentProblem]]:
    rel_dir = exercise_dir.relative_to(content_root).as_posix()
    problems: list[ContentProblem] = []

    def problem(file: str, path: tuple[str | int, ...], message: str) -> None:
        rel = f"{rel_dir}/{file}"
        problems.append(ContentProblem(file=rel, location=format_location(rel, path), message=message))

    manifest_path = exercise_dir / MANIFEST
    if not manifest_path.is_file():
        problem(MANIFEST, (), "missing exercise.yaml")
        return None, problems
    try:
        raw = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        problem(MANIFEST, (), f"invalid YAML: {exc}")
        return None, problems
    if not isinstance(raw, dict):
        problem(MANIFEST, (), "exercise.yaml must be a mapping")
        return None, problems
    try:
        manifest = ExerciseManifest.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            problem(MANIFEST, tuple(error["loc"]), error["msg"])
        return None, problems

    if manifest.slug != exercise_dir.name:
        problem(MANIFEST, ("slug",), f"slug {manifest.slug!r} differs from directory name")

    instructions_path = exercise_dir / INSTRUCTIONS
    instructions = ""
    if instructions_path.is_file():
        instructions = instructions_path.read_text(encoding="utf-8")
        if not instructions.strip():
            problem(INSTRUCTIONS, (), "instructions are empty")
    else:
        problem(INSTRUCTIONS, (), "missing instructions.md")

    starter: dict[str, str] = {}
    reference: dict[str, str] = {}
    for kind, target in ((STARTER_DIR, starter), (REFERENCE_DIR, reference)):
        for name in manifest.files:
            path = exercise_dir / kind / name
            if path.is_file():
                target[name] = path.read_text(encoding="utf-8")
            else:
                problem(f"{kind}/{name}", (), f"missing {kind} file {name}")

    tests_dir = exercise_dir / TESTS_DIR
    tests = _read_dir(tests_dir) if tests_dir.is_dir() else {}
    for path in sorted(tests_dir.iterdir()) if tests_dir.is_dir() else []:
        if path.is_file() and not (path.name.startswith(HIDDEN_TESTS_PREFIX) and path.suffix == ".py"):
            problem(f"{TESTS_DIR}/{path.name}", (), "test files must be named test_*.py")
    tests = {name: text for name, text in tests.items() if name.startswith(HIDDEN_TESTS_PREFIX)}
    for name in manifest.visible_tests:
        if name not in tests:
            problem(MANIFEST, ("visible_tests",), f"visible test {name} is not in tests/")
    visible = {name: tests[name] for name in manifest.visible_tests if name in tests}
    hidden = {name: text for name, text in tests.items() if name not in manifest.visible_tests}
    if not hidden:
        problem(TESTS_DIR, (), "no hidden tests")
    for name in set(tests) & set(manifest.files):
        problem(MANIFEST, ("files",), f"{name} is both a learner file and a test file")

    per_test: dict[str, int] = {}
    for name, text in sorted(tests.items()):
        try:
            for test_id, value in count_test_points(text, name).items():
                per_test[f"{name}::{test_id}"] = value
        except (SyntaxError, ValueError) as exc:
            problem(f"{TESTS_DIR}/{name}", (), str(exc))
    if tests and not per_test:
        problem(TESTS_DIR, (), "no test functions found")

    if problems:
        return None, problems
    spec = ExerciseSpec(
        id=manifest.id,
        slug=manifest.slug,
        title=manifest.title,
        topic=manifest.topic,
        difficulty=manifest.difficulty,
        files=manifest.files,
        limits=manifest.limits.model_dump(),
        points=sum(per_test.values()),
        instructions=instructions,
        starter_files=starter,
        visible_tests=visible,
        hidden_tests=hidden,
        reference_files=reference,
        content_hash=content_hash(exercise_dir),
        test_points=per_test,
    )
    return spec, problems


def load_exercises(root: Path) -> tuple[list[ExerciseSpec], list[ContentProblem]]:
    """Load every exercise under ``root/exercises`` (``root`` is the ``content/`` directory).

    Returns the valid specs sorted by id and every problem found; an exercise with problems is left
    out of the specs, and a duplicate id is reported against each later occurrence.
    """
    base = root / EXERCISES_DIR
    specs: list[ExerciseSpec] = []
    problems: list[ContentProblem] = []
    if not base.is_dir():
        return specs, [ContentProblem(EXERCISES_DIR, EXERCISES_DIR, "missing directory")]
    for exercise_dir in sorted(p for p in base.iterdir() if p.is_dir() and p.name != "__pycache__"):
        spec, found = _load_one(exercise_dir, root)
        problems.extend(found)
        if spec is not None:
            specs.append(spec)

    # slugs equal their (unique) directory names, so only ids can collide
    seen_ids: dict[int, str] = {}
    unique: list[ExerciseSpec] = []
    for spec in specs:
        if spec.id in seen_ids:
            where = f"{EXERCISES_DIR}/{spec.slug}/{MANIFEST}"
            message = f"id {spec.id} already used by {seen_ids[spec.id]}"
            problems.append(ContentProblem(where, format_location(where, ("id",)), message))
            continue
        seen_ids[spec.id] = spec.slug
        unique.append(spec)
    return sorted(unique, key=lambda s: s.id), problems
