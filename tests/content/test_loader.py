"""The content loader: every kind of problem is reported, all at once, with file and location."""

import textwrap
from pathlib import Path

import pytest

from content.loader import load_content, validate
from content.schema import ContentProblem

SECTIONS = """\
- {slug: maths, title: Maths, summary: Numbers., position: 1}
- {slug: code, title: Code, summary: Programs., position: 2}
"""
MATHS = """\
- id: 101
  slug: algebra
  title: Algebra
  summary: Symbols.
  objectives: [Solve for x.]
  est_hours: 2
- id: 102
  slug: calculus
  title: Calculus
  summary: Change.
  objectives: [Differentiate.]
  est_hours: 3
  prerequisites:
    - {topic: algebra, kind: hard}
"""
CODE = """\
- id: 201
  slug: python
  title: Python
  summary: A language.
  objectives: [Write a loop.]
  est_hours: 4
  prerequisites:
    - {topic: algebra, kind: soft}
"""
RESOURCES = """\
- id: 1
  url: https://example.com/algebra
  title: Algebra course
  kind: course
  provider: Example
  is_free: true
  topics: [algebra]
"""


def write_tree(root: Path, **files: str) -> Path:
    """A content root with valid defaults; keyword names are paths with ``__`` for ``/``."""
    defaults = {
        "sections.yaml": SECTIONS,
        "topics/maths.yaml": MATHS,
        "topics/code.yaml": CODE,
        "resources.yaml": RESOURCES,
    }
    defaults.update({name.replace("__", "/").replace("_yaml", ".yaml"): text for name, text in files.items()})
    for name, text in defaults.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def problems_in(root: Path) -> list[ContentProblem]:
    return validate(load_content(root))


def test_valid_tree_has_no_problems(tmp_path: Path) -> None:
    content = load_content(write_tree(tmp_path))
    assert validate(content) == []
    assert [t.spec.section for t in content.topics] == ["code", "maths", "maths"]
    assert content.exercises == []  # no exercises folder: the exercise loader is not asked


def test_cycle_is_reported_with_its_path(tmp_path: Path) -> None:
    maths = MATHS.replace("  est_hours: 2\n", "  est_hours: 2\n  prerequisites:\n    - {topic: python}\n", 1)
    problems = problems_in(write_tree(tmp_path, topics__maths_yaml=maths))
    assert [(p.location, p.message) for p in problems] == [
        (
            "topics/maths.yaml[0].prerequisites[0]",
            "prerequisite cycle: algebra -> python -> algebra (each topic requires the next)",
        )
    ]
    assert problems[0].file == "topics/maths.yaml"
    assert problems[0].line == 8


def test_longer_cycle_across_files_is_spelled_out(tmp_path: Path) -> None:
    maths = MATHS.replace("  est_hours: 2\n", "  est_hours: 2\n  prerequisites:\n    - {topic: python}\n", 1)
    code = CODE.replace("topic: algebra", "topic: calculus")
    problems = problems_in(write_tree(tmp_path, topics__maths_yaml=maths, topics__code_yaml=code))
    assert [p.message for p in problems] == [
        "prerequisite cycle: algebra -> python -> calculus -> algebra (each topic requires the next)"
    ]


def test_duplicates_are_reported_where_they_repeat(tmp_path: Path) -> None:
    code = CODE + MATHS.split("- id: 102")[0].replace("101", "101").replace("Algebra", "Algebra again")
    resources = RESOURCES + RESOURCES.replace(
        "https://example.com/algebra", "HTTPS://Example.COM:443/algebra?utm_source=feed#intro"
    )
    problems = problems_in(write_tree(tmp_path, topics__code_yaml=code, resources_yaml=resources))
    found = {(p.location, p.message) for p in problems}
    assert found == {
        ("topics/maths.yaml[0].id", "duplicate topic id 101 (first at topics/code.yaml[1])"),
        ("topics/maths.yaml[0].slug", "duplicate topic slug 'algebra' (first at topics/code.yaml[1])"),
        ("resources.yaml[1].id", "duplicate resource id 1 (first at resources.yaml[0])"),
        (
            "resources.yaml[1].url",
            "duplicate resource URL 'https://example.com/algebra' (first at resources.yaml[0])",
        ),
    }


def test_dangling_references_are_reported(tmp_path: Path) -> None:
    code = CODE.replace("topic: algebra", "topic: geometry")
    resources = RESOURCES.replace("topics: [algebra]", "topics: [algebra, statistics]")
    problems = problems_in(write_tree(tmp_path, topics__code_yaml=code, resources_yaml=resources))
    assert [(p.location, p.message) for p in problems] == [
        ("resources.yaml[0].topics[1]", "unknown topic 'statistics'"),
        ("topics/code.yaml[0].prerequisites[0].topic", "unknown topic 'geometry'"),
    ]


def test_self_and_repeated_prerequisites(tmp_path: Path) -> None:
    code = CODE + "    - {topic: python}\n    - {topic: algebra}\n"
    messages = [p.message for p in problems_in(write_tree(tmp_path, topics__code_yaml=code))]
    assert messages == ["a topic cannot require itself", "prerequisite 'algebra' listed twice"]


def test_yaml_syntax_error_has_a_line_number(tmp_path: Path) -> None:
    broken = MATHS.replace("  title: Calculus\n", "  title: [Calculus\n")
    problems = problems_in(write_tree(tmp_path, topics__maths_yaml=broken))
    syntax = [p for p in problems if p.file == "topics/maths.yaml"]
    assert len(syntax) == 1
    assert syntax[0].message.startswith("YAML syntax error")
    assert syntax[0].line is not None
    assert 9 <= syntax[0].line <= 11
    # The other files were still checked: a resource pointing at a topic of the broken file is reported too.
    assert any(p.file == "resources.yaml" for p in problems)


def test_schema_errors_name_the_field(tmp_path: Path) -> None:
    maths = MATHS.replace("  est_hours: 3\n", "  est_hours: -1\n  colour: blue\n").replace(
        "kind: hard", "kind: must"
    )
    resources = RESOURCES.replace("kind: course", "kind: podcast").replace("  title: Algebra course\n", "")
    problems = problems_in(write_tree(tmp_path, topics__maths_yaml=maths, resources_yaml=resources))
    locations = {p.location: p for p in problems}
    assert set(locations) == {
        "resources.yaml[0].title",
        "resources.yaml[0].kind",
        "topics/maths.yaml[1].est_hours",
        "topics/maths.yaml[1].colour",
        "topics/maths.yaml[1].prerequisites[0].kind",
    }
    assert locations["resources.yaml[0].title"].message == "Field required"
    assert locations["topics/maths.yaml[1].colour"].message == "Extra inputs are not permitted"
    assert locations["topics/maths.yaml[1].colour"].line == 13
    # A topic that failed its schema is not also reported as a dangling reference from elsewhere.
    assert not any("unknown topic" in p.message for p in problems)


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    maths = MATHS.replace(
        "  est_hours: 2\n", "  est_hours: 2\n  prerequisites:\n    - {topic: calculus}\n", 1
    )
    code = CODE.replace("topic: algebra", "topic: nowhere").replace("id: 201", "id: 101")
    resources = RESOURCES + RESOURCES.replace("id: 1", "id: 2").replace("kind: course", "kind: vinyl")
    problems = problems_in(
        write_tree(tmp_path, topics__maths_yaml=maths, topics__code_yaml=code, resources_yaml=resources)
    )
    summary = sorted((p.file, p.location.split("]")[0] + "]", p.message.split(" (")[0]) for p in problems)
    assert summary == [
        (
            "resources.yaml",
            "resources.yaml[1]",
            "Input should be 'video', 'article', 'course', 'book', 'interactive', 'docs', 'paper' or 'repo'",
        ),
        ("topics/code.yaml", "topics/code.yaml[0]", "unknown topic 'nowhere'"),
        ("topics/maths.yaml", "topics/maths.yaml[0]", "duplicate topic id 101"),
        ("topics/maths.yaml", "topics/maths.yaml[0]", "prerequisite cycle: algebra -> calculus -> algebra"),
    ]
    assert all(p.line is not None for p in problems)


def test_repeated_yaml_key_is_reported(tmp_path: Path) -> None:
    maths = MATHS.replace("  title: Algebra\n", "  title: Algebra\n  title: Geometry\n")
    problems = problems_in(write_tree(tmp_path, topics__maths_yaml=maths))
    assert [(p.location, p.message, p.line) for p in problems] == [
        ("topics/maths.yaml[0].title", "key repeated", 4)
    ]


def test_structure_problems(tmp_path: Path) -> None:
    root = write_tree(tmp_path, topics__art_yaml="[]\n", resources_yaml="{not: a list}\n")
    (root / "topics" / "code.yaml").write_text(CODE.replace("id: 201", "id: 201\n  section: maths"))
    messages = {(p.location, p.message) for p in problems_in(root)}
    assert ("topics/art.yaml", "no section 'art' in sections.yaml") in messages
    assert ("resources.yaml", "expected a list of entries at the top level") in messages
    assert (
        "topics/code.yaml[0].section",
        "section 'maths' does not match the file name; move it to topics/maths.yaml",
    ) in messages
    assert (
        "sections.yaml[1]",
        "section has no topics (topics/code.yaml)",
    ) not in messages  # file has a problem


def test_missing_files_are_reported(tmp_path: Path) -> None:
    problems = problems_in(tmp_path)
    assert {p.message for p in problems} == {"missing file", "missing directory"}
    assert {p.file for p in problems} == {"sections.yaml", "topics", "resources.yaml"}


def test_section_without_topics(tmp_path: Path) -> None:
    root = write_tree(tmp_path)
    (root / "topics" / "code.yaml").unlink()
    resources = RESOURCES
    (root / "resources.yaml").write_text(resources)
    assert [(p.location, p.message) for p in problems_in(root)] == [
        ("sections.yaml[1]", "section has no topics (topics/code.yaml)")
    ]


@pytest.mark.parametrize("url", ["ftp://example.com/a", "not a url", "https:///nohost"])
def test_bad_urls_are_schema_errors(tmp_path: Path, url: str) -> None:
    resources = RESOURCES.replace("https://example.com/algebra", url)
    problems = problems_in(write_tree(tmp_path, resources_yaml=resources))
    assert [p.location for p in problems] == ["resources.yaml[0].url"]
