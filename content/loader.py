"""Load the curriculum files into specs, and validate them as a whole, reporting every problem at once."""

import importlib
import importlib.util
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from content.graph import find_cycles, format_cycle
from content.schema import ContentProblem, ResourceSpec, SectionSpec, TopicSpec
from content.urls import normalize_url

SECTIONS_FILE = "sections.yaml"
TOPICS_DIR = "topics"
RESOURCES_FILE = "resources.yaml"
EXERCISES_DIR = "exercises"
# The package directory is the content root: the YAML files ship beside this module.
DEFAULT_ROOT = Path(__file__).resolve().parent

PathKey = tuple[str | int, ...]
SpecT = TypeVar("SpecT", bound=BaseModel)


def format_location(file: str, path: Iterable[str | int]) -> str:
    """``topics/mathematics.yaml[3].prerequisites[0]``: the file, then the path inside it."""
    return file + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)


@dataclass(frozen=True)
class Sourced(Generic[SpecT]):
    """A validated entry together with where it came from, so later checks can point at it."""

    spec: SpecT
    file: str
    index: int

    def location(self, *path: str | int) -> str:
        return format_location(self.file, (self.index, *path))


@dataclass
class Content:
    """Everything under a content root; entries that failed to parse are left out and reported."""

    root: Path
    sections: list[Sourced[SectionSpec]] = field(default_factory=list)
    topics: list[Sourced[TopicSpec]] = field(default_factory=list)
    resources: list[Sourced[ResourceSpec]] = field(default_factory=list)
    exercises: list[Any] = field(default_factory=list)
    # False when the root has no exercises folder: sync then leaves exercises in the database alone.
    exercises_loaded: bool = False
    load_problems: list[ContentProblem] = field(default_factory=list)
    # Slugs of entries that exist but failed their schema: references to them are not "dangling" too.
    broken_topic_slugs: set[str] = field(default_factory=set)
    lines: dict[str, dict[PathKey, int]] = field(default_factory=dict)

    def problem(self, file: str, path: PathKey, message: str) -> ContentProblem:
        line = self.lines.get(file, {}).get(path)
        return ContentProblem(file=file, location=format_location(file, path), message=message, line=line)


def load_content(root: Path) -> Content:
    """Read sections, topics, resources (and exercises when that loader exists) under ``root``."""
    content = Content(root=root)
    for index, spec in _load_list(content, SECTIONS_FILE, SectionSpec):
        content.sections.append(Sourced(spec, SECTIONS_FILE, index))
    topics_dir = root / TOPICS_DIR
    if not topics_dir.is_dir():
        content.load_problems.append(ContentProblem(TOPICS_DIR, TOPICS_DIR, "missing directory"))
    else:
        for path in sorted(topics_dir.glob("*.yaml")):
            _load_topics_file(content, f"{TOPICS_DIR}/{path.name}", path.stem)
    for index, resource in _load_list(content, RESOURCES_FILE, ResourceSpec):
        content.resources.append(Sourced(resource, RESOURCES_FILE, index))
    _load_exercises(content)
    return content


def validate(content: Content) -> list[ContentProblem]:
    """Every problem in ``content``: load errors plus duplicates, dangling references and cycles."""
    problems = list(content.load_problems)
    for check in (_check_sections, _check_topics, _check_resources, _check_cycles, _check_exercises):
        problems.extend(check(content))
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.location))


def _load_topics_file(content: Content, rel: str, stem: str) -> None:
    for index, topic in _load_list(content, rel, TopicSpec):
        if topic.section is not None and topic.section != stem:
            content.load_problems.append(
                content.problem(
                    rel,
                    (index, "section"),
                    f"section {topic.section!r} does not match the file name; move it to "
                    f"{TOPICS_DIR}/{topic.section}.yaml",
                )
            )
            continue
        content.topics.append(Sourced(topic.model_copy(update={"section": stem}), rel, index))


def _load_list(content: Content, rel: str, model: type[SpecT]) -> list[tuple[int, SpecT]]:
    """Parse one YAML file that holds a list of ``model`` entries; record problems on ``content``."""
    path = content.root / rel
    if not path.is_file():
        content.load_problems.append(ContentProblem(rel, rel, "missing file"))
        return []
    data = _parse_yaml(content, rel, path.read_text(encoding="utf-8"))
    if data is None:
        return []
    if not isinstance(data, list):
        content.load_problems.append(content.problem(rel, (), "expected a list of entries at the top level"))
        return []
    loaded = []
    for index, raw in enumerate(data):
        if not isinstance(raw, dict):
            content.load_problems.append(content.problem(rel, (index,), "expected a mapping"))
            continue
        try:
            loaded.append((index, model.model_validate(raw)))
        except ValidationError as exc:
            if model is TopicSpec and isinstance(raw.get("slug"), str):
                content.broken_topic_slugs.add(raw["slug"])
            for error in exc.errors():
                where: PathKey = (index, *error["loc"])
                content.load_problems.append(content.problem(rel, where, _message(error)))
    return loaded


def _message(error: Any) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] in ("extra_forbidden", "missing"):
        return message
    return f"{message} (got {error['input']!r})"


def _parse_yaml(content: Content, rel: str, text: str) -> Any:
    """Parse ``text``; a syntax error or a repeated key becomes a problem with its line number."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        detail = " ".join(part for part in (exc.context, exc.problem) if part)
        content.load_problems.append(ContentProblem(rel, rel, f"YAML syntax error: {detail}", line))
        return None
    except yaml.YAMLError as exc:
        content.load_problems.append(ContentProblem(rel, rel, f"YAML error: {exc}"))
        return None
    lines: dict[PathKey, int] = {}
    if node is not None:
        _index_lines(content, rel, node, (), lines)
    content.lines[rel] = lines
    return data


def _index_lines(
    content: Content, rel: str, node: yaml.Node, path: PathKey, lines: dict[PathKey, int]
) -> None:
    """Record the line of every value by its path; PyYAML would silently keep the last of repeated keys."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _index_lines(content, rel, child, (*path, index), lines)
    elif isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                content.load_problems.append(
                    ContentProblem(
                        rel, format_location(rel, (*path, key)), "key repeated", key_node.start_mark.line + 1
                    )
                )
            seen.add(key)
            _index_lines(content, rel, value_node, (*path, key), lines)


def _load_exercises(content: Content) -> None:
    """Call ``content.exercises.load_exercises`` when both that module and the exercises folder exist."""
    if not (content.root / EXERCISES_DIR).is_dir() or importlib.util.find_spec("content.exercises") is None:
        return
    module = importlib.import_module("content.exercises")
    load: Callable[[Path], tuple[list[Any], list[ContentProblem]]] | None = getattr(
        module, "load_exercises", None
    )
    if load is None:
        return
    specs, problems = load(content.root)
    content.exercises_loaded = True
    content.exercises.extend(specs)
    content.load_problems.extend(problems)


def _duplicates(
    content: Content, entries: Iterable[tuple[Sourced[Any], Any]], what: str, field_name: str
) -> list[ContentProblem]:
    """A problem on every entry after the first that repeats a key, naming where the first one is."""
    first: dict[Any, Sourced[Any]] = {}
    problems = []
    for entry, key in entries:
        if key in first:
            message = f"duplicate {what} {key!r} (first at {first[key].location()})"
            problems.append(content.problem(entry.file, (entry.index, field_name), message))
        else:
            first[key] = entry
    return problems


def _check_sections(content: Content) -> list[ContentProblem]:
    problems = _duplicates(content, ((s, s.spec.slug) for s in content.sections), "section slug", "slug")
    slugs = {s.spec.slug for s in content.sections}
    files = {t.file for t in content.topics} | {p.file for p in content.load_problems}
    for path in sorted((content.root / TOPICS_DIR).glob("*.yaml")):
        if path.stem not in slugs:
            rel = f"{TOPICS_DIR}/{path.name}"
            problems.append(ContentProblem(rel, rel, f"no section {path.stem!r} in {SECTIONS_FILE}"))
    with_topics = Counter(t.spec.section for t in content.topics)
    for section in content.sections:
        rel = f"{TOPICS_DIR}/{section.spec.slug}.yaml"
        if not with_topics[section.spec.slug] and rel not in files:
            problems.append(content.problem(section.file, (section.index,), f"section has no topics ({rel})"))
    return problems


def _check_topics(content: Content) -> list[ContentProblem]:
    problems = _duplicates(content, ((t, t.spec.id) for t in content.topics), "topic id", "id")
    problems += _duplicates(content, ((t, t.spec.slug) for t in content.topics), "topic slug", "slug")
    known = {t.spec.slug for t in content.topics}
    for topic in content.topics:
        seen: set[str] = set()
        for i, edge in enumerate(topic.spec.prerequisites):
            where = (topic.index, "prerequisites", i, "topic")
            if edge.topic == topic.spec.slug:
                problems.append(content.problem(topic.file, where, "a topic cannot require itself"))
            elif edge.topic not in known and edge.topic not in content.broken_topic_slugs:
                problems.append(content.problem(topic.file, where, f"unknown topic {edge.topic!r}"))
            elif edge.topic in seen:
                problems.append(
                    content.problem(topic.file, where, f"prerequisite {edge.topic!r} listed twice")
                )
            seen.add(edge.topic)
    return problems


def _check_resources(content: Content) -> list[ContentProblem]:
    problems = _duplicates(content, ((r, r.spec.id) for r in content.resources), "resource id", "id")
    problems += _duplicates(
        content, ((r, normalize_url(r.spec.url)) for r in content.resources), "resource URL", "url"
    )
    known = {t.spec.slug for t in content.topics} | content.broken_topic_slugs
    for resource in content.resources:
        for i, slug in enumerate(resource.spec.topics):
            if slug not in known:
                where: PathKey = (resource.index, "topics", i)
                problems.append(content.problem(resource.file, where, f"unknown topic {slug!r}"))
        if len(set(resource.spec.topics)) != len(resource.spec.topics):
            problems.append(
                content.problem(resource.file, (resource.index, "topics"), "a topic is listed twice")
            )
    return problems


def _check_cycles(content: Content) -> list[ContentProblem]:
    by_slug = {t.spec.slug: t for t in content.topics}
    graph = {
        slug: [e.topic for e in t.spec.prerequisites if e.topic in by_slug and e.topic != slug]
        for slug, t in by_slug.items()
    }
    problems = []
    for cycle in find_cycles(graph):
        topic = by_slug[cycle[0]]
        edge = next(i for i, e in enumerate(topic.spec.prerequisites) if e.topic == cycle[1])
        message = f"prerequisite cycle: {format_cycle(cycle)} (each topic requires the next)"
        problems.append(content.problem(topic.file, (topic.index, "prerequisites", edge), message))
    return problems


def _check_exercises(content: Content) -> list[ContentProblem]:
    known = {t.spec.slug for t in content.topics} | content.broken_topic_slugs
    problems = []
    for exercise in content.exercises:
        topic = getattr(exercise, "topic", None)
        if topic is not None and topic not in known:
            rel = f"{EXERCISES_DIR}/{exercise.slug}/exercise.yaml"
            problems.append(ContentProblem(rel, format_location(rel, ("topic",)), f"unknown topic {topic!r}"))
    return problems
