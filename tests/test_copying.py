"""Tests for dlnotes.copying (the object graph behind the copy diagrams)."""
import copy

import pytest

from dlnotes.copying import reference_graph, shared_nodes


def _graph(op):
    a = [[1, 2], [3, 4]]
    return reference_graph({"a": a, "b": op(a)})


def test_assignment_shares_everything():
    g = _graph(lambda a: a)
    assert g.names["a"] == g.names["b"] and len(g.nodes) == 3
    assert shared_nodes(g, "a", "b") == [0, 1, 2]


def test_shallow_copy_shares_the_inner_lists_only():
    for op in (copy.copy, list, lambda a: a[:], lambda a: a.copy()):
        g = _graph(op)
        assert g.names["a"] != g.names["b"] and len(g.nodes) == 4
        assert shared_nodes(g, "a", "b") == [1, 2]


def test_deep_copy_shares_nothing():
    g = _graph(copy.deepcopy)
    assert len(g.nodes) == 6 and shared_nodes(g, "a", "b") == []


def test_values_are_inline_and_dict_keys_are_labels():
    g = reference_graph({"d": {"k": [1]}, "n": 5})
    assert g.names["n"] == ("value", "5")
    assert g.nodes[0].kind == "dict" and g.nodes[0].cells[0][0] == "'k'"
    assert g.nodes[1].depth == 1


def test_cycles_and_deepcopy_memo():
    a = [1]
    a.append(a)
    g = reference_graph({"a": a})
    assert len(g.nodes) == 1 and g.nodes[0].cells[1][1] == ("node", 0)
    b = copy.deepcopy(a)                      # the memo keeps the cycle a cycle
    g = reference_graph({"a": a, "b": b})
    assert len(g.nodes) == 2 and g.nodes[1].cells[1][1] == ("node", 1)


@pytest.mark.parametrize("call, exc, words", [
    (lambda: reference_graph([1, 2]), TypeError, "names must be a dict"),
    (lambda: reference_graph({1: [1]}), TypeError, "names must be a dict"),
    (lambda: shared_nodes("g", "a", "b"), TypeError, "graph must be a Graph"),
    (lambda: shared_nodes(reference_graph({"a": 1}), "a", "z"), ValueError, "name 'z' is not in the graph"),
])
def test_bad_input_gets_a_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()
