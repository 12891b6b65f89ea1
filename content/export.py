"""Write the database's curriculum back to content files that sync reads as unchanged.

The output is canonical: sections by position, topics by (position, id) within their section file,
prerequisites hard before soft and then in study order, a resource's topics in study order, resources by
id, optional fields left out when empty. The shipped files are kept in exactly this form (a test checks
that exporting a freshly synced database reproduces them byte for byte), so an export diff shows only
real changes.

Not exported: archived topics (files cannot express them; edges to them are dropped), proposed and
rejected resources (they belong to the review workflow), and exercises (they are only ever written from
their own folders, and the API cannot edit them).
"""

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, select

from content.loader import RESOURCES_FILE, SECTIONS_FILE, TOPICS_DIR
from content.sync import FILE_RESOURCE_STATUSES
from db.models import Prerequisite, Resource, ResourceTopic, Section, Topic

SECTIONS_HEADER = "# The curriculum's sections, in study order. Topics live in topics/<slug>.yaml.\n"
TOPICS_HEADER = "# {title}: topics in study order. Ids are stable and never reused.\n"
RESOURCES_HEADER = (
    "# Curated resources. Ids are stable and never reused; `topics` are topic slugs. Add a link only after\n"
    "# checking it; the API normalizes URLs the same way (content/urls.py).\n"
)
FOLD_AT = 100


class _Flow(dict[str, Any]):
    """A mapping written on one line (prerequisite edges)."""


class _Dumper(yaml.SafeDumper):
    """Block style, keys in insertion order, long text folded, short edges inline."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as the shipped files are written by hand.
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if len(value) > FOLD_AT and "\n" not in value and value == value.strip():
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=">")
    return dumper.represent_str(value)


def _represent_flow(dumper: yaml.SafeDumper, value: _Flow) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Flow, _represent_flow)


def dump_yaml(header: str, entries: list[dict[str, Any]]) -> str:
    """The text of one content file: a header comment, then the entries."""
    body = yaml.dump(entries, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=FOLD_AT - 6)
    return header + (body if entries else "[]\n")


def export_content(session: Session, out: Path) -> list[Path]:
    """Write sections.yaml, topics/<section>.yaml and resources.yaml under ``out``; return the paths."""
    sections = sorted(session.exec(select(Section)), key=lambda s: (s.position, s.slug))
    section_rank = {s.slug: i for i, s in enumerate(sections)}
    topics = sorted(
        (t for t in session.exec(select(Topic)) if t.status == "active"),
        key=lambda t: (section_rank.get(t.section, len(sections)), t.position, t.id or 0),
    )
    study_rank = {t.id: i for i, t in enumerate(topics)}
    slug_of = {t.id: t.slug for t in topics}
    edges: dict[int, list[Prerequisite]] = {}
    for edge in session.exec(select(Prerequisite)):
        if edge.prerequisite_id in slug_of:
            edges.setdefault(edge.topic_id, []).append(edge)

    written = [_write(out / SECTIONS_FILE, SECTIONS_HEADER, [_section_entry(s) for s in sections])]
    (out / TOPICS_DIR).mkdir(parents=True, exist_ok=True)
    for section in sections:
        entries = []
        for index, topic in enumerate(t for t in topics if t.section == section.slug):
            ordered = sorted(
                edges.get(topic.id or 0, []), key=lambda e: (e.kind != "hard", study_rank[e.prerequisite_id])
            )
            entries.append(
                _topic_entry(topic, index, [(slug_of[e.prerequisite_id], e.kind) for e in ordered])
            )
        header = TOPICS_HEADER.format(title=section.title)
        written.append(_write(out / TOPICS_DIR / f"{section.slug}.yaml", header, entries))

    links: dict[int, list[int]] = {}
    for link in session.exec(select(ResourceTopic)):
        if link.topic_id in slug_of:
            links.setdefault(link.resource_id, []).append(link.topic_id)
    resources = sorted(
        (r for r in session.exec(select(Resource)) if r.status in FILE_RESOURCE_STATUSES),
        key=lambda r: r.id or 0,
    )
    entries = [
        _resource_entry(r, [slug_of[t] for t in sorted(links.get(r.id or 0, []), key=study_rank.__getitem__)])
        for r in resources
    ]
    written.append(_write(out / RESOURCES_FILE, RESOURCES_HEADER, entries))
    return written


def _write(path: Path, header: str, entries: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_yaml(header, entries), encoding="utf-8")
    return path


def _section_entry(section: Section) -> dict[str, Any]:
    return {
        "slug": section.slug,
        "title": section.title,
        "summary": section.summary,
        "position": section.position,
    }


def _topic_entry(topic: Topic, index: int, prerequisites: Iterable[tuple[str, str]]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": topic.id,
        "slug": topic.slug,
        "title": topic.title,
        "summary": topic.summary,
        "objectives": list(topic.objectives),
        "est_hours": topic.est_hours,
        "prerequisites": [_Flow(topic=slug, kind=kind) for slug, kind in prerequisites],
    }
    if topic.position != index:  # sync sets position from the entry's index unless told otherwise
        entry["position"] = topic.position
    return entry


def _resource_entry(resource: Resource, topics: list[str]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": resource.id,
        "url": resource.url,
        "title": resource.title,
        "kind": resource.kind,
        "provider": resource.provider,
        "is_free": resource.is_free,
        "level": resource.level,
        "est_minutes": resource.est_minutes,
        "topics": topics,
        "status": None if resource.status == "approved" else resource.status,
        "note": resource.note,
    }
    return {key: value for key, value in entry.items() if value is not None}
