"""Multi-document YAML loading that never raises and remembers where each document starts.

Real repos break a naive `yaml.safe_load_all` in a few known ways (docs/real-repos.md §4): duplicate
anchors, bare `=` scalars, custom tags such as `!env_var`, and Go templates in files named `.yaml`.
A bare `=` is a plain string for go-yaml (what kustomize and Flux parse with), so it is read
silently; redefined anchors and custom tags are read tolerantly and reported as
`yaml-tolerated`; anything else that fails becomes an unreadable-file problem with its line, and
the documents before it are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_FAST_BASE: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """One parsed document of a file."""

    index: int
    """Position of the document in its file, from 0."""
    line: int
    """1-based line where the document's content starts (its first key)."""
    end_line: int
    data: Any


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """Why (part of) a file could not be read as YAML."""

    line: int | None
    message: str
    tolerated: bool
    """True when the file was still read, by bending a rule PyYAML enforces."""


@dataclass(frozen=True, slots=True)
class YamlFile:
    """The documents of one file and what went wrong reading it."""

    documents: tuple[YamlDocument, ...]
    problems: tuple[YamlProblem, ...]


def _bend(loader: Any, why: str) -> None:
    """Remember that `loader` read something plain `yaml.safe_load` rejects."""
    bent: set[str] | None = getattr(loader, "bent_rules", None)
    if bent is not None:
        bent.add(why)


def _construct_any(loader: yaml.SafeLoader, node: Node) -> Any:
    """Read a node with an unknown tag as the plain value it would be without the tag."""
    _bend(loader, f"custom tag {node.tag}")
    if isinstance(node, ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, MappingNode):
        return loader.construct_mapping(node, deep=True)
    return None


def _construct_text(loader: yaml.SafeLoader, node: Node) -> Any:
    """Timestamps stay text: JSON output and Kubernetes see them as strings."""
    return loader.construct_scalar(node) if isinstance(node, ScalarNode) else None


def _construct_equals(loader: yaml.SafeLoader, node: Node) -> Any:
    """A bare `=` (AlertmanagerConfig `matchType: =`) resolves to a YAML 1.1 tag SafeLoader
    lacks; go-yaml reads it as the string "=", so nothing is reported."""
    return _construct_text(loader, node)


def _configure(loader_class: Any) -> None:
    loader_class.add_constructor(None, _construct_any)
    loader_class.add_constructor("tag:yaml.org,2002:value", _construct_equals)
    loader_class.add_constructor("tag:yaml.org,2002:timestamp", _construct_text)


class _FastLoader(_FAST_BASE):  # type: ignore[misc]
    """libyaml-backed loader with the tolerant constructors (no duplicate-anchor support)."""


class _TolerantLoader(yaml.SafeLoader):
    """Pure-Python loader that also lets an anchor be redefined, as YAML 1.2 allows."""

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        anchor = getattr(event, "anchor", None)
        if not isinstance(event, AliasEvent) and anchor is not None and anchor in self.anchors:
            del self.anchors[anchor]
            _bend(self, f"anchor &{anchor} redefined")
        return super().compose_node(parent, index)


_configure(_FastLoader)
_configure(_TolerantLoader)


def _problem_line(error: yaml.YAMLError) -> int | None:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def _one_line(error: BaseException) -> str:
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    text = " ".join(str(p) for p in (context, problem) if p) or str(error)
    return " ".join(text.split())


def _read(loader: Any) -> tuple[list[YamlDocument], YamlProblem | None]:
    loader.bent_rules = set()
    documents: list[YamlDocument] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            data = loader.construct_document(node)
            documents.append(
                YamlDocument(len(documents), node.start_mark.line + 1, node.end_mark.line + 1, data)
            )
    except (yaml.YAMLError, ValueError, TypeError, RecursionError, OverflowError) as error:
        # ValueError/TypeError/OverflowError come from constructors fed hostile scalars
        # (e.g. an int too long, an unhashable key); RecursionError from absurd nesting.
        line = _problem_line(error) if isinstance(error, yaml.YAMLError) else None
        return documents, YamlProblem(line, _one_line(error), tolerated=False)
    finally:
        loader.dispose()
    return documents, None


def load_documents(text: str) -> YamlFile:
    """Parse every document of `text`; never raises.

    Args:
        text: the file's content, already decoded (a BOM is ignored).

    Returns:
        The documents read and the problems met, each with a line where known.
    """
    text = text.removeprefix("\ufeff")
    loader: Any = _FastLoader(text)
    documents, problem = _read(loader)
    if problem is not None and "found duplicate anchor" in problem.message:
        loader = _TolerantLoader(text)
        documents, problem = _read(loader)
    problems = [problem] if problem is not None else []
    if loader.bent_rules:
        bent = ", ".join(sorted(loader.bent_rules))
        problems.insert(0, YamlProblem(None, f"read tolerantly: {bent}", tolerated=True))
    return YamlFile(tuple(documents), tuple(problems))
