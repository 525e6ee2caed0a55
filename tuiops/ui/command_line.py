"""The `:` command line, without Textual: what a typed line means, what it may complete to,
and the line's history. k9s words: `:hr NAME`, `:ks NAME`, `:apps`, `:layers`, `:talos`,
`:env`, `:logs`, `:src` (and the source kinds' words), `:ctx [NAME]`, `:cluster [NAME]`,
`:pods [RELEASE]`, `:events`, `:ns NAME`, `:q`; kind words come from `domain/kinds` (the one
kinds table).

Names match exactly, then by prefix, then as a subsequence ("fuzzy": `nfd` finds
node-feature-discovery; the matching is `name_matching.py`'s). Enter opens an exact match,
else the first prefix match (the first completion shown), else the one fuzzy match; several
objects of one exact name (in several namespaces) or several fuzzy matches are ambiguous, and
the completions stay open.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field

from tuiops.domain.kinds import ALL_KINDS, FLUX_SOURCES, NODE, kind_for_word
from tuiops.domain.refs import ObjectRef
from tuiops.ui.name_matching import by_name, name_matches, rank, typed_name

MAX_COMPLETIONS = 6
"""How many candidates the list above the line shows."""

SCREENS: dict[str, tuple[str, ...]] = {
    "layers": ("layers", "layer", "home"),
    "apps": ("apps", "app"),
    "talos": ("talos", "nodes", "node", "no"),
    "env": ("env",),
    "logs": ("logs", "log"),
    "sources": ("sources", "source", "src"),
}
"""Mode name → the words that switch to it."""
QUIT_WORDS = ("q", "quit", "q!", "exit")
EVENT_WORDS = ("events", "event", "ev")
"""`:events` lists the events about Flux objects (`flux events -A`)."""
CONTEXT_WORDS = ("ctx", "context", "contexts")
"""`:ctx` lists the kubeconfig's contexts, `:ctx NAME` switches to one."""
CLUSTER_WORDS = ("cluster", "clusters")
"""`:cluster` lists the repo's clusters, `:cluster NAME` shows another."""
POD_WORDS = ("pods", "pod", "po")
"""`:pods RELEASE` shows a HelmRelease's workloads and pods; `:pods` the one on screen."""
CHOICE_WORDS = {"ctx": CONTEXT_WORDS, "cluster": CLUSTER_WORDS}
"""The commands whose argument is one of a list of names the caller knows (see `Choices`)."""
APPLIER_WORDS = ("hr", "helmreleases", "helmrelease", "ks", "kustomizations", "kustomization")
"""The kind words that open Apps (alone) or an object (with a NAME)."""


# -- what a line means ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SwitchScreen:
    mode: str


@dataclass(frozen=True, slots=True)
class ShowKind:
    """Apps, showing only `kind` (every applier when empty)."""

    kind: str


@dataclass(frozen=True, slots=True)
class ShowNamespace:
    """The current screen shows only `namespace` (every namespace when empty)."""

    namespace: str


NAMESPACE_WORDS = ("ns", "namespace", "namespaces")
"""`:ns NAME` filters the screen to one namespace; `:ns all` shows every one again."""


@dataclass(frozen=True, slots=True)
class ChooseContext:
    """Switch to kube context `name`; list the contexts when empty."""

    name: str


@dataclass(frozen=True, slots=True)
class ChooseCluster:
    """Show repo cluster `name`; list the clusters when empty."""

    name: str


@dataclass(frozen=True, slots=True)
class ShowEvents:
    """The events about Flux objects."""


@dataclass(frozen=True, slots=True)
class ShowPods:
    """The workloads and pods of `release`; of the HelmRelease on screen when None."""

    release: ObjectRef | None


Choices = Mapping[str, tuple[str, ...]]
"""Names `:ctx` and `:cluster` complete to, by CHOICE_WORDS key (`ctx`, `cluster`)."""


@dataclass(frozen=True, slots=True)
class OpenObject:
    ref: ObjectRef


@dataclass(frozen=True, slots=True)
class Quit:
    pass


@dataclass(frozen=True, slots=True)
class Notice:
    """A one-line answer: not available yet, unknown command, no such object."""

    text: str


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """Several objects fit: the line stays open with them as completions."""

    text: str
    candidates: tuple[Completion, ...]


Outcome = (
    SwitchScreen
    | ShowKind
    | ShowNamespace
    | ChooseContext
    | ChooseCluster
    | ShowPods
    | ShowEvents
    | OpenObject
    | Quit
    | Notice
    | Ambiguous
)


@dataclass(frozen=True, slots=True)
class Completion:
    line: str
    """The whole line once accepted (`hr node-feature-discovery`)."""
    label: str
    """What the list shows for it."""


def _command_words() -> dict[str, str]:
    """Every command word → what the list says it does."""
    words: dict[str, str] = {}
    for mode, mode_words in SCREENS.items():
        for word in mode_words:
            words[word] = f"{mode.capitalize()} screen"
    for word in APPLIER_WORDS:
        kind = kind_for_word(word)
        assert kind is not None  # the kinds table names every applier word
        words[word] = f"{kind.kind}s (:{word} NAME opens one)"
    for kind in FLUX_SOURCES:
        for word in kind.words:
            words[word] = f"Sources screen ({kind.plural})"
    for word in QUIT_WORDS:
        words[word] = "quit"
    for word in NAMESPACE_WORDS:
        words[word] = "one namespace on this screen (:ns NAME, :ns all)"
    for word in CONTEXT_WORDS:
        words[word] = "kube contexts (:ctx NAME switches)"
    for word in CLUSTER_WORDS:
        words[word] = "repo clusters (:cluster NAME shows one)"
    for word in POD_WORDS:
        words[word] = "a release's workloads and pods (:pods NAME)"
    for word in EVENT_WORDS:
        words[word] = "events about Flux objects (flux events -A)"
    for kind in ALL_KINDS:
        for word in kind.words:
            words.setdefault(word, f"{kind.plural}: not available yet")
    return words


COMMAND_WORDS = _command_words()


def _order(word: str) -> int:
    """Commands first, then the source kinds' words, then what is not available yet."""
    if "not available" in COMMAND_WORDS[word]:
        return 2
    return 1 if kind_for_word(word) in FLUX_SOURCES else 0


def _choice_key(head: str) -> str | None:
    return next((key for key, words in CHOICE_WORDS.items() if head.lower() in words), None)


def completions(
    line: str, objects: tuple[ObjectRef, ...], choices: Choices | None = None
) -> tuple[Completion, ...]:
    """What the list above the line offers for `line` (tab accepts the first); `choices`
    are the context and cluster names `:ctx` and `:cluster` complete to."""
    text = line.lstrip(":").lstrip()
    head, space, rest = text.partition(" ")
    if not space:
        if not head:
            return ()
        ranked = sorted(  # the commands that work first, short words before long
            rank(head, COMMAND_WORDS),
            key=lambda found: (found[0], _order(found[1]), len(found[1])),
        )
        return tuple(
            Completion(f"{word} ", f"{word:<16} {COMMAND_WORDS[word]}")
            for _tier, word in ranked[:MAX_COMPLETIONS]
        )
    choice = _choice_key(head)
    if choice is not None:
        names = (choices or {}).get(choice, ())
        word = rest.strip()
        picked = [name for _tier, name in rank(word, names)] if word else sorted(names)
        return tuple(Completion(f"{head} {name}", f"{choice} {name}") for name in picked)[
            :MAX_COMPLETIONS
        ]
    pods = head.lower() in POD_WORDS  # `:pods NAME` names a HelmRelease
    kind = kind_for_word("hr" if pods else head)
    if kind is None or not (pods or head.lower() in APPLIER_WORDS):
        return ()
    refs = tuple(ref for ref in objects if ref.kind == kind.kind)
    word = rest.strip()
    matches = name_matches(word, refs) if word else [(1, ref) for ref in sorted(refs, key=by_name)]
    return tuple(
        Completion(f"{head} {typed_name(ref, refs)}", f"{kind.short} {ref.namespaced_name}")
        for _tier, ref in matches[:MAX_COMPLETIONS]
    )


def _closest(word: str) -> str:
    ranked = rank(word, COMMAND_WORDS)
    if ranked and ranked[0][0] <= 2:
        return ranked[0][1]
    close = difflib.get_close_matches(word, COMMAND_WORDS, n=1, cutoff=0.5)
    return close[0] if close else ""


def resolve(line: str, objects: tuple[ObjectRef, ...]) -> Outcome:
    """What entering `line` does, given the objects the console lists."""
    words = line.strip().lstrip(":").split()
    if not words:
        return Notice("type a command: :apps, :layers, :hr NAME, :q")
    head = words[0].lower()
    for mode, mode_words in SCREENS.items():
        if head in mode_words and len(words) == 1:
            return ShowKind("") if mode == "apps" else SwitchScreen(mode)
    if head in QUIT_WORDS:
        return Quit()
    if head in NAMESPACE_WORDS:
        if len(words) != 2:
            return Notice(f"one namespace after :{head}, as in :{head} kube-system or :{head} all")
        wanted = words[1]
        return ShowNamespace("" if wanted in ("all", "*", "-A") else wanted)
    if head in CONTEXT_WORDS or head in CLUSTER_WORDS:
        if len(words) > 2:
            return Notice(f"one name after :{head}, or none to list them")
        name = words[1] if len(words) == 2 else ""
        return ChooseContext(name) if head in CONTEXT_WORDS else ChooseCluster(name)
    if head in POD_WORDS:
        return _pods(head, words[1:], objects)
    if head in EVENT_WORDS:
        return ShowEvents() if len(words) == 1 else Notice(f":{head} takes no name; :ns filters")
    kind = kind_for_word(head)
    if kind in FLUX_SOURCES:
        if len(words) == 1:
            return SwitchScreen("sources")
        return Notice(f"opening a source by name is not available yet: :src lists {kind.plural}")
    if kind is not None and head in APPLIER_WORDS:
        if len(words) == 1:
            return ShowKind(kind.kind)
        if len(words) > 2:
            return Notice(f"one name after :{head}, as in :{head} NAME or :{head} NS/NAME")
        return _open(head, kind.kind, words[1], objects)
    if kind is not None and kind is not NODE:
        return Notice(f"not available yet: {kind.plural}")
    closest = _closest(head)
    hint = f"; did you mean :{closest}?" if closest else "; try :apps, :layers, :hr NAME, :q"
    return Notice(f"unknown command :{head}{hint}")


def _pods(head: str, names: list[str], objects: tuple[ObjectRef, ...]) -> Outcome:
    if not names:
        return ShowPods(None)
    if len(names) > 1:
        return Notice(f"one release after :{head}, as in :{head} NAME or :{head} NS/NAME")
    found = _open(head, "HelmRelease", names[0], objects)
    return ShowPods(found.ref) if isinstance(found, OpenObject) else found


def _open(head: str, kind: str, word: str, objects: tuple[ObjectRef, ...]) -> Outcome:
    refs = tuple(ref for ref in objects if ref.kind == kind)
    matches = name_matches(word, refs)
    if not matches:
        return Notice(f"no {kind} matches {word!r}")
    best_tier = matches[0][0]
    best = [ref for tier, ref in matches if tier == best_tier]
    if len(best) == 1 or best_tier in (1, 2):  # a prefix or a part of the name: the first
        return OpenObject(best[0])
    listed = tuple(
        Completion(f"{head} {typed_name(ref, refs)}", f"{head} {ref.namespaced_name}")
        for ref in best[:MAX_COMPLETIONS]
    )
    return Ambiguous(f"{len(best)} {kind}s match {word!r}: pick one (tab takes the first)", listed)


# -- history --------------------------------------------------------------------------------


@dataclass
class History:
    """The lines entered this session, oldest first; up/down walk them."""

    lines: list[str] = field(default_factory=list)
    _position: int = 0
    _draft: str = ""

    def add(self, line: str) -> None:
        line = line.strip()
        if line and (not self.lines or self.lines[-1] != line):
            self.lines.append(line)
        self.reset()

    def reset(self) -> None:
        """Start again from the newest line (a new prompt)."""
        self._position = len(self.lines)
        self._draft = ""

    def previous(self, current: str) -> str:
        """The line before; `current` is kept to come back to."""
        if self._position == len(self.lines):
            self._draft = current
        self._position = max(self._position - 1, 0)
        return self.lines[self._position] if self.lines else current

    def next(self) -> str:
        """The line after, or what was being typed past the newest."""
        self._position = min(self._position + 1, len(self.lines))
        if self._position == len(self.lines):
            return self._draft
        return self.lines[self._position]
