"""Entry point inside the sandbox: stage the learner's files, pre-check them, run pytest with the plugin."""

from __future__ import annotations

import json
import os
import stat
import sys
from typing import Any

import pytest

from .events import EventWriter
from .paths import TESTS_DIR, WORK_DIR
from .plugin import ResultsPlugin

# pytest's own conveniences that write files or talk to the outside are off: the run is throwaway.
PYTEST_ARGS = [
    "-q",
    "-p",
    "no:cacheprovider",
    "-p",
    "no:stepwise",
    "-p",
    "no:pastebin",
    "-p",
    "no:junitxml",
    "--rootdir",
    TESTS_DIR,
    "--tb=no",
    "--no-header",
    "-o",
    "addopts=",
    "-o",
    "console_output_style=classic",
    TESTS_DIR,
]


def copy_tree(src: str, dst: str) -> None:
    """Copy regular files and directories only; the source is the runner's own, already-validated copy."""
    for entry in os.scandir(src):
        target = os.path.join(dst, entry.name)
        mode = entry.stat(follow_symlinks=False).st_mode
        if stat.S_ISDIR(mode):
            os.mkdir(target, 0o755)
            copy_tree(entry.path, target)
        elif stat.S_ISREG(mode):
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
            with open(entry.path, "rb") as source, open(os.open(target, flags, 0o644), "wb") as out:
                out.write(source.read())


def learner_python_files(root: str) -> list[str]:
    """Relative paths of the learner's .py files, sorted for a stable first error."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(".py"):
                found.append(os.path.relpath(os.path.join(dirpath, name), root))
    return found


def precheck(root: str) -> str | None:
    """Empty files and syntax errors, reported by file and line before any test runs."""
    for relative in learner_python_files(root):
        with open(os.path.join(root, relative), "rb") as handle:
            source = handle.read()
        if not source.strip() and os.path.basename(relative) != "__init__.py":
            return f"{relative} is empty: write your solution in it and submit again"
        try:
            compile(source, relative, "exec", dont_inherit=True)
        except SyntaxError as error:
            return f"{relative} line {error.lineno}: {type(error).__name__}: {error.msg}"
        except ValueError as error:
            return f"{relative}: {error}"
    return None


def run(config: dict[str, Any]) -> int:
    """Run one job; `config` comes from the runner (fds, caps, visible test files)."""
    writer = EventWriter(int(config["results_fd"]))
    source_dir = config.get("copy_from")
    if source_dir:
        copy_tree(source_dir, WORK_DIR)
    os.chdir(WORK_DIR)
    sys.path.insert(0, WORK_DIR)
    writer.send({"ev": "ready"})
    problem = precheck(WORK_DIR)
    if problem is not None:
        writer.send({"ev": "precheck_error", "message": problem})
        writer.send({"ev": "done", "exitstatus": 2})
        return 2
    plugin = ResultsPlugin(
        writer,
        visible_tests=frozenset(config.get("visible_tests", ())),
        test_output_bytes=int(config["test_output_bytes"]),
        output_bytes=int(config["output_bytes"]),
    )
    code = int(pytest.main(list(PYTEST_ARGS), plugins=[plugin]))
    writer.send({"ev": "done", "exitstatus": code})
    return code


def main() -> None:
    """`python -m syllabus_harness.bootstrap '<json config>'` (the cold path)."""
    code = run(json.loads(sys.argv[1]))
    sys.stdout.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
