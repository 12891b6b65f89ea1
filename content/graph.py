"""Cycle detection and ordering for prerequisite graphs, given as ``{node: [nodes it requires]}``."""

from collections.abc import Iterable, Mapping, Sequence

Graph = Mapping[str, Sequence[str]]


def find_cycles(graph: Graph) -> list[list[str]]:
    """One cycle per strongly connected component that has one, each as ``[a, b, ..., a]``.

    Components are found with an iterative Tarjan (no recursion limit on long chains); within each, a
    cycle is traced from its smallest node so the report is the same on every run.
    """
    cycles = []
    for component in _strongly_connected(graph):
        members = set(component)
        start = min(component)
        if len(component) == 1 and start not in graph.get(start, ()):
            continue
        path = _path_within(graph, start, start, members)
        if path is not None:
            cycles.append(path)
    return sorted(cycles)


def path_between(graph: Graph, start: str, goal: str) -> list[str] | None:
    """A shortest path ``[start, ..., goal]`` following edges, or None.

    Adding the edge ``a -> b`` closes a cycle exactly when ``path_between(graph, b, a)`` exists; the cycle
    is then ``[a, *path]``.
    """
    return _path_within(graph, start, goal, None)


def topological_order(graph: Graph) -> list[str]:
    """Nodes with every prerequisite before the topics that need it; ties broken by name.

    Raises ValueError naming a cycle if there is one.
    """
    nodes = _nodes(graph)
    remaining = {node: len(set(graph.get(node, ()))) for node in nodes}
    dependants: dict[str, list[str]] = {node: [] for node in nodes}
    for node in nodes:
        for required in set(graph.get(node, ())):
            dependants[required].append(node)
    ready = sorted(node for node, count in remaining.items() if count == 0)
    order = []
    while ready:
        node = ready.pop(0)
        order.append(node)
        for dependant in dependants[node]:
            remaining[dependant] -= 1
            if remaining[dependant] == 0:
                ready.append(dependant)
        ready.sort()
    if len(order) < len(nodes):
        raise ValueError(f"prerequisite cycle: {format_cycle(find_cycles(graph)[0])}")
    return order


def format_cycle(cycle: Iterable[str]) -> str:
    """``a -> b -> a``: each topic requires the next."""
    return " -> ".join(cycle)


def _nodes(graph: Graph) -> list[str]:
    nodes = set(graph)
    for targets in graph.values():
        nodes.update(targets)
    return sorted(nodes)


def _path_within(graph: Graph, start: str, goal: str, members: set[str] | None) -> list[str] | None:
    # Breadth-first from start's successors so that start == goal finds the shortest cycle through it.
    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        next_frontier = []
        for node in frontier:
            for succ in sorted(set(graph.get(node, ()))):
                if members is not None and succ not in members:
                    continue
                if succ == goal:
                    path = [goal, node]
                    while path[-1] != start:
                        path.append(parents[path[-1]])
                    return path[::-1]
                if succ not in parents and succ != start:
                    parents[succ] = node
                    next_frontier.append(succ)
        frontier = next_frontier
    return None


def _strongly_connected(graph: Graph) -> list[list[str]]:
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in _nodes(graph):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child_i = work.pop()
            if child_i == 0:
                index[node] = lowlink[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = sorted(set(graph.get(node, ())))
            if child_i < len(children):
                work.append((node, child_i + 1))
                child = children[child_i]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    lowlink[node] = min(lowlink[node], index[child])
                continue
            for child in children:
                if child in on_stack:
                    lowlink[node] = min(lowlink[node], lowlink[child])
            if lowlink[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components
