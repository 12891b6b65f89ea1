"""Pure graph helpers for the topic graph: layers, cycle paths and Mermaid / DOT rendering.

Edges are given as ``(prerequisite, topic)`` pairs, i.e. in learning order (``from`` before ``to``).
Cycle search reuses `content.graph` so the API and the content validator agree on what a cycle is.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from content.graph import path_between


def layers(nodes: Sequence[str], edges: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Longest path from any root to each node (roots are layer 0); both edge kinds count."""
    known = set(nodes)
    dependants: dict[str, list[str]] = {node: [] for node in nodes}
    indegree = dict.fromkeys(nodes, 0)
    for before, after in edges:
        if before in known and after in known:
            dependants[before].append(after)
            indegree[after] += 1
    layer = dict.fromkeys(nodes, 0)
    ready = [node for node in nodes if indegree[node] == 0]
    while ready:
        node = ready.pop()
        for after in dependants[node]:
            layer[after] = max(layer[after], layer[node] + 1)
            indegree[after] -= 1
            if indegree[after] == 0:
                ready.append(after)
    return layer


def cycle_if_added(
    requires: Mapping[str, Sequence[str]], *, topic: str, prerequisite: str
) -> list[str] | None:
    """The cycle ``[topic, prerequisite, ..., topic]`` that `topic requires prerequisite` would close."""
    path = path_between(requires, prerequisite, topic)
    return [topic, *path] if path is not None else None


def _mermaid_label(text: str) -> str:
    """A label safe inside Mermaid's ``["..."]``: quotes and markup become entity codes."""
    out = []
    for char in " ".join(text.split()):
        if char == "#":
            out.append("#35;")
        elif char == '"':
            out.append("#quot;")
        elif char == "<":
            out.append("#lt;")
        elif char == ">":
            out.append("#gt;")
        elif char == "`":
            out.append(f"#{ord(char)};")
        else:
            out.append(char)
    return "".join(out)


def to_mermaid(graph: Mapping[str, Any]) -> str:
    """A Mermaid ``flowchart TD``: hard edges solid, soft edges dotted; ids are positional (`t0`, `t1`...)."""
    ids = {node["slug"]: f"t{index}" for index, node in enumerate(graph["nodes"])}
    lines = ["flowchart TD"]
    for node in graph["nodes"]:
        label = node["title"]
        if node.get("status"):
            label = f"{label} ({node['status']})"
        lines.append(f'    {ids[node["slug"]]}["{_mermaid_label(label)}"]')
    for edge in graph["edges"]:
        arrow = "-->" if edge["kind"] == "hard" else "-.->"
        lines.append(f"    {ids[edge['from']]} {arrow} {ids[edge['to']]}")
    return "\n".join(lines) + "\n"


def _dot_string(text: str) -> str:
    """A double-quoted DOT string."""
    escaped = " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def to_dot(graph: Mapping[str, Any]) -> str:
    """A Graphviz ``digraph`` keyed by slug: soft edges dashed."""
    lines = ["digraph syllabus {", "    rankdir=TB;", "    node [shape=box];"]
    for node in graph["nodes"]:
        label = node["title"] + (f" ({node['status']})" if node.get("status") else "")
        lines.append(f"    {_dot_string(node['slug'])} [label={_dot_string(label)}];")
    for edge in graph["edges"]:
        style = "" if edge["kind"] == "hard" else " [style=dashed]"
        lines.append(f"    {_dot_string(edge['from'])} -> {_dot_string(edge['to'])}{style};")
    lines.append("}")
    return "\n".join(lines) + "\n"
