"""Walk the object graph behind some Python names, for names → objects diagrams.

Containers (list, tuple, dict) become nodes; every other value (int, str, ...)
is immutable in the examples we draw, so it is shown inline by its repr. Two
names or cells that refer to the *same* object (``is``) point to the same node,
which is exactly what assignment, shallow copy and deep copy differ in.
"""
from __future__ import annotations

from dataclasses import dataclass, field

CONTAINERS = (list, tuple, dict)


@dataclass
class Node:
    kind: str                     # "list", "tuple" or "dict"
    depth: int                    # shortest distance from a name
    cells: list = field(default_factory=list)   # (key label or None, ("node", i) or ("value", repr))


@dataclass
class Graph:
    names: dict                   # name -> ("node", i) or ("value", repr)
    nodes: list


# --8<-- [start:graph]
def reference_graph(names):
    """Nodes for every container reachable from ``names`` (name -> object).

    Objects are identified by ``id()``, so a shared object appears once
    and cycles (a list that contains itself) terminate.
    """
    if not isinstance(names, dict) or not all(isinstance(k, str)
                                              for k in names):
        raise TypeError("names must be a dict from str names to objects")
    index, nodes, keep_alive = {}, [], []

    def ref(obj, depth):
        if not isinstance(obj, CONTAINERS):
            return ("value", repr(obj))
        if id(obj) in index:                   # seen: same object, same node
            i = index[id(obj)]
            nodes[i].depth = min(nodes[i].depth, depth)
            return ("node", i)
        index[id(obj)] = i = len(nodes)
        keep_alive.append(obj)                 # ids stay unique meanwhile
        nodes.append(Node(type(obj).__name__, depth))
        items = (obj.items() if isinstance(obj, dict)
                 else ((None, v) for v in obj))
        nodes[i].cells = [(None if k is None else repr(k), ref(v, depth + 1))
                          for k, v in items]
        return ("node", i)

    named = {name: ref(obj, 0) for name, obj in names.items()}
    return Graph(named, nodes)
# --8<-- [end:graph]


def shared_nodes(graph, name_a, name_b):
    """Indices of the nodes reachable from both names (the objects the two names share)."""
    if not isinstance(graph, Graph):
        raise TypeError(f"graph must be a Graph, got {type(graph).__name__}")
    for n in (name_a, name_b):
        if n not in graph.names:
            raise ValueError(f"name {n!r} is not in the graph (names: {', '.join(graph.names)})")

    def reach(start):
        seen, stack = set(), [start]
        while stack:
            kind, i = stack.pop()
            if kind == "node" and i not in seen:
                seen.add(i)
                stack += [c for _, c in graph.nodes[i].cells]
        return seen
    return sorted(reach(graph.names[name_a]) & reach(graph.names[name_b]))
