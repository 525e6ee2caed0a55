"""The corpus tests need the real-repo corpus, which lives outside the repository.

It is found through ``TUIOPS_CORPUS`` or at ``shared/corpus`` beside the checkout (see
``corpus_scan.corpus_dir``). Without it every test module of this folder is skipped at
collection, before it is imported, with one reason naming the variable (``-ra`` folds them
into a single ``SKIPPED [n]`` line), so a plain clone runs the rest of the suite. This works
whether pytest walks the folder or is given a module or a test id of it directly.

A ``TUIOPS_CORPUS`` that names no folder is a mistake, not an absent corpus: collection fails
and says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.corpus.corpus_scan import CORPUS_ENV, CORPUS_MISSING, corpus_dir, corpus_from_env


def corpus_problem() -> tuple[bool, str] | None:
    """None when the corpus is there, else (is it an error rather than a skip, message)."""
    configured = corpus_from_env()
    if configured is not None and not configured.is_dir():
        return True, f"{CORPUS_ENV}={configured} is not a folder (unset it to skip these tests)"
    if not corpus_dir().is_dir():
        return False, CORPUS_MISSING
    return None


class CorpusAbsentModule(pytest.Module):
    """A corpus test module that is never imported: collecting it skips (or fails) at once."""

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        """Skip with the one corpus reason, or fail when ``TUIOPS_CORPUS`` is wrong."""
        problem = corpus_problem()
        if problem is None:  # the corpus appeared after the hook ran: collect as usual
            return list(super().collect())
        is_error, message = problem
        if is_error:
            pytest.fail(message, pytrace=False)
        pytest.skip(message, allow_module_level=True)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(
    module_path: Path, parent: pytest.Collector
) -> pytest.Module | None:
    """Replace each test module of this folder by a skipping stand-in when the corpus is absent."""
    if corpus_problem() is None:
        return None
    module: pytest.Module = CorpusAbsentModule.from_parent(parent, path=module_path)
    return module
