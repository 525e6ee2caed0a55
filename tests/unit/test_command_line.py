"""The `:` line without Textual: aliases, prefix and fuzzy completion, what enter does with a
partial name, ambiguity, unknown and unbuilt commands, history."""

from __future__ import annotations

from tuiops.domain.refs import ObjectRef
from tuiops.ui.command_line import (
    MAX_COMPLETIONS,
    Ambiguous,
    ChooseCluster,
    ChooseContext,
    History,
    Notice,
    OpenObject,
    Quit,
    ShowEvents,
    ShowKind,
    ShowPods,
    SwitchScreen,
    completions,
    resolve,
)
from tuiops.ui.name_matching import rank

NFD = ObjectRef("HelmRelease", "kube-system", "node-feature-discovery")
RED = ObjectRef("HelmRelease", "node-red", "node-red")
APPS_KS = ObjectRef("Kustomization", "flux-system", "apps")
DUP_A = ObjectRef("HelmRelease", "a", "dup")
DUP_B = ObjectRef("HelmRelease", "b", "dup")
OBJECTS = (NFD, RED, APPS_KS, DUP_A, DUP_B)


def _lines(line: str) -> list[str]:
    return [item.line for item in completions(line, OBJECTS)]


def test_rank_puts_exact_then_prefix_then_substring_then_subsequence() -> None:
    found = rank("no", ["kyverno", "no", "node-red", "n-x-o", "other"])
    assert found == [(0, "no"), (1, "node-red"), (2, "kyverno"), (3, "n-x-o")]


def test_aliases_of_the_appliers_and_screens() -> None:
    for word in ("hr", "helmreleases", "helmrelease", "HR"):
        assert resolve(f":{word}", OBJECTS) == ShowKind("HelmRelease")
    for word in ("ks", "kustomizations", "kustomization"):
        assert resolve(word, OBJECTS) == ShowKind("Kustomization")
    assert resolve("apps", OBJECTS) == ShowKind("")  # every kind again
    for word, mode in (("layers", "layers"), ("talos", "talos"), ("env", "env"), ("logs", "logs")):
        assert resolve(word, OBJECTS) == SwitchScreen(mode)
    for word in ("src", "sources", "gitrepo", "helmrepositories", "ocirepo", "hc", "bucket"):
        assert resolve(word, OBJECTS) == SwitchScreen("sources")
    assert isinstance(resolve("gitrepo flux-system", OBJECTS), Notice)
    assert resolve(":q", OBJECTS) == Quit()
    assert resolve("quit", OBJECTS) == Quit()


def test_a_partial_name_opens_the_best_match() -> None:
    assert resolve("hr node-feature-discovery", OBJECTS) == OpenObject(NFD)  # exact
    assert resolve("hr node", OBJECTS) == OpenObject(NFD)  # prefix: the first listed
    assert resolve("hr nfd", OBJECTS) == OpenObject(NFD)  # fuzzy, one match
    assert resolve("hr a/dup", OBJECTS) == OpenObject(DUP_A)  # ns/name
    assert resolve("ks app", OBJECTS) == OpenObject(APPS_KS)


def test_an_ambiguous_name_keeps_the_list_open() -> None:
    outcome = resolve("hr dup", OBJECTS)
    assert isinstance(outcome, Ambiguous)
    assert [item.line for item in outcome.candidates] == ["hr a/dup", "hr b/dup"]
    assert "2 HelmReleases match 'dup'" in outcome.text
    fuzzy = resolve("hr nd", OBJECTS)  # node-red and node-feature-discovery, guessed
    assert isinstance(fuzzy, Ambiguous)


def test_no_match_unknown_and_unbuilt_commands_say_so() -> None:
    assert resolve("hr zzz", OBJECTS) == Notice("no HelmRelease matches 'zzz'")
    assert resolve("lgos", OBJECTS) == Notice("unknown command :lgos; did you mean :logs?")
    unknown = resolve("xyzzy", OBJECTS)
    assert isinstance(unknown, Notice) and unknown.text.startswith("unknown command :xyzzy")
    assert resolve("events", OBJECTS) == ShowEvents()
    assert isinstance(resolve("ev x", OBJECTS), Notice)
    assert resolve("deploy", OBJECTS) == Notice("not available yet: deployments")
    assert isinstance(resolve("", OBJECTS), Notice)
    assert isinstance(resolve("hr a b", OBJECTS), Notice)


def test_completion_of_commands_puts_what_works_first() -> None:
    assert _lines("h")[0] == "hr "
    assert _lines("helmr")[:2] == ["helmrelease ", "helmreleases "]
    assert _lines("lay") == ["layer ", "layers "]
    assert len(_lines("e")) == MAX_COMPLETIONS
    assert _lines("") == []


def test_completion_of_names() -> None:
    assert _lines("hr no") == ["hr node-feature-discovery", "hr node-red"]
    assert _lines("hr ")[:2] == ["hr a/dup", "hr b/dup"]  # shared names keep their namespace
    assert _lines("ks a") == ["ks apps"]
    assert _lines("ns x") == []
    labels = [item.label for item in completions("hr no", OBJECTS)]
    assert labels[0] == "hr kube-system/node-feature-discovery"


def test_contexts_clusters_and_pods() -> None:
    assert resolve("ctx", OBJECTS) == ChooseContext("")
    assert resolve("context home", OBJECTS) == ChooseContext("home")
    assert resolve("cluster", OBJECTS) == ChooseCluster("")
    assert resolve("clusters lab", OBJECTS) == ChooseCluster("lab")
    assert isinstance(resolve("ctx a b", OBJECTS), Notice)
    assert resolve("pods", OBJECTS) == ShowPods(None)
    assert resolve("po nfd", OBJECTS) == ShowPods(NFD)  # names a HelmRelease, fuzzy too
    assert resolve("pods zzz", OBJECTS) == Notice("no HelmRelease matches 'zzz'")
    assert isinstance(resolve("pods apps", OBJECTS), Notice)  # a Kustomization has no pods


def test_completion_of_context_and_cluster_names() -> None:
    choices = {"ctx": ("home", "lab-admin", "work"), "cluster": ("lab", "main")}
    lines = [item.line for item in completions("ctx ", OBJECTS, choices)]
    assert lines == ["ctx home", "ctx lab-admin", "ctx work"]
    assert [item.line for item in completions("ctx lb", OBJECTS, choices)] == ["ctx lab-admin"]
    assert [item.line for item in completions("cluster m", OBJECTS, choices)] == ["cluster main"]
    assert completions("ctx x", OBJECTS) == ()  # no names known: nothing to offer
    assert [item.line for item in completions("pods no", OBJECTS)] == [
        "pods node-feature-discovery",
        "pods node-red",
    ]


def test_history_walks_back_and_returns_to_the_draft() -> None:
    history = History()
    for line in ("apps", "hr node", "hr node", " "):
        history.add(line)
    assert history.lines == ["apps", "hr node"]  # repeats and blanks are not kept
    assert history.previous("ta") == "hr node"
    assert history.previous("hr node") == "apps"
    assert history.previous("apps") == "apps"
    assert history.next() == "hr node"
    assert history.next() == "ta"
    assert History().previous("x") == "x"
