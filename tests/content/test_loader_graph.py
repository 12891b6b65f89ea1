"""Graph helpers behind cycle reports and study order."""

import pytest

from content.graph import find_cycles, format_cycle, path_between, topological_order


def test_finds_one_cycle_per_component_deterministically() -> None:
    graph = {"c": ["a", "d"], "a": ["b"], "b": ["c"], "d": [], "e": ["e"], "g": ["f"], "f": ["g"]}
    assert find_cycles(graph) == [["a", "b", "c", "a"], ["e", "e"], ["f", "g", "f"]]


def test_acyclic_graph_has_no_cycles_and_orders_prerequisites_first() -> None:
    graph = {"mlp": ["backprop", "pytorch"], "backprop": ["calculus"], "pytorch": [], "calculus": []}
    assert find_cycles(graph) == []
    assert topological_order(graph) == ["calculus", "backprop", "pytorch", "mlp"]


def test_topological_order_names_the_cycle() -> None:
    with pytest.raises(ValueError, match=r"a -> b -> a"):
        topological_order({"a": ["b"], "b": ["a"], "c": []})


def test_path_between_detects_an_edge_that_would_close_a_cycle() -> None:
    graph = {"a": ["b"], "b": ["c"], "c": []}
    # Adding c -> a closes a cycle exactly when a path a ... c exists.
    path = path_between(graph, "a", "c")
    assert path == ["a", "b", "c"]
    assert format_cycle(["c", *path]) == "c -> a -> b -> c"
    assert path_between(graph, "c", "a") is None


def test_long_chain_has_no_recursion_limit() -> None:
    graph = {f"t{i}": [f"t{i + 1}"] for i in range(5000)}
    graph["t5000"] = ["t0"]
    cycles = find_cycles(graph)
    assert len(cycles) == 1
    assert len(cycles[0]) == 5002
