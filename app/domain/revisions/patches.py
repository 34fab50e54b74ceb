"""Patches between two snapshots: the list of paths whose values differ, each with the value
the patch sets, or without one when it removes the key. Objects are compared key by key down
to their leaves, so moving one card changes one `position` and the patch names only that;
lists and scalars are replaced whole."""

from __future__ import annotations

from typing import Any

import orjson

# [path, value] sets the value at the path; [path] removes the key. Paths are lists of keys.
Patch = list[list[Any]]


def diff(source: dict[str, Any], target: dict[str, Any]) -> Patch:
    """The patch that turns `source` into `target`."""
    patch: Patch = []
    _diff(source, target, [], patch)
    return patch


def _diff(source: dict[str, Any], target: dict[str, Any], path: list[str], patch: Patch) -> None:
    for key in source.keys() - target.keys():
        patch.append([[*path, key]])
    for key, value in target.items():
        if key not in source:
            patch.append([[*path, key], value])
            continue
        old = source[key]
        if same(value, old):
            continue
        if isinstance(value, dict) and isinstance(old, dict):
            _diff(old, value, [*path, key], patch)
        else:
            patch.append([[*path, key], value])


def same(a: Any, b: Any) -> bool:
    """Equal as JSON: Python's == (in C, fast on a whole subtree) confirmed by the encoded
    text, since == holds for True and 1, or 1 and 1.0, which JSON tells apart."""
    if type(a) is not type(b) or a != b:
        return False
    if isinstance(a, dict | list):
        return orjson.dumps(a, option=orjson.OPT_SORT_KEYS) == orjson.dumps(
            b, option=orjson.OPT_SORT_KEYS
        )
    return True


def apply(state: dict[str, Any], patch: Patch) -> dict[str, Any]:
    """`state` with the patch applied, as a new state that shares every object the patch
    does not touch with `state` (and its values with the patch): only the objects on the
    patched paths are copied, so reading revision K of a long history costs what the patches
    between cost, not the snapshot's size times their number. States are read-only."""
    result = dict(state)
    copied = {id(result)}  # the objects of `result` that are its own, free to change
    for operation in patch:
        path = operation[0]
        parent = result
        for key in path[:-1]:
            child = parent.get(key)
            if not isinstance(child, dict) or id(child) not in copied:
                child = dict(child) if isinstance(child, dict) else {}
                parent[key] = child
                copied.add(id(child))
            parent = child
        if len(operation) == 1:
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = operation[1]
    return result
