"""Write a job's files to a fresh host directory with safe names, never following links."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile

from .job import Job

_COMPONENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")
_MAX_DEPTH = 4
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class UnsafeFileError(ValueError):
    """A submitted file cannot be accepted; the message is meant for the learner."""


def _shown(name: str) -> str:
    return repr(name[:120])


def check_name(name: str) -> list[str]:
    """Split a relative file name into safe components or raise UnsafeFileError naming the file."""
    if not isinstance(name, str) or not name:
        raise UnsafeFileError("a submitted file has an empty name")
    if "\x00" in name:
        raise UnsafeFileError(f"file {_shown(name)}: names may not contain NUL characters")
    if name.startswith("/") or name.startswith("\\"):
        raise UnsafeFileError(
            f"file {_shown(name)}: absolute paths are not allowed, use a name like solution.py"
        )
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise UnsafeFileError(f"file {_shown(name)}: '..', '.' and empty path parts are not allowed")
    if len(parts) > _MAX_DEPTH:
        raise UnsafeFileError(f"file {_shown(name)}: folders may be at most {_MAX_DEPTH - 1} levels deep")
    for part in parts:
        if not _COMPONENT.match(part):
            raise UnsafeFileError(
                f"file {_shown(name)}: use only letters, digits, '_', '-' and '.' in names "
                "(not starting with '.' or '-', at most 100 characters)"
            )
    return parts


def check_files(files: dict[str, str], *, max_files: int, max_file_bytes: int) -> dict[str, bytes]:
    """Validate names, count and sizes; return encoded contents."""
    if not isinstance(files, dict):
        raise UnsafeFileError("files must be a mapping of file name to text")
    if len(files) > max_files:
        raise UnsafeFileError(f"too many files: {len(files)} submitted, at most {max_files} allowed")
    encoded: dict[str, bytes] = {}
    seen: dict[str, str] = {}
    for name, text in files.items():
        parts = check_name(name)
        if not isinstance(text, str):
            raise UnsafeFileError(f"file {_shown(name)}: content must be text")
        data = text.encode("utf-8", "surrogatepass")
        if len(data) > max_file_bytes:
            raise UnsafeFileError(
                f"file {_shown(name)} is too big: {len(data)} bytes, at most {max_file_bytes} allowed"
            )
        key = "/".join(parts).lower()
        if key in seen:
            raise UnsafeFileError(f"file {_shown(name)} clashes with {_shown(seen[key])}")
        seen[key] = name
        encoded[name] = data
    # A file and a directory of the same name cannot both exist.
    for name in encoded:
        for other in encoded:
            if other.startswith(name + "/"):
                raise UnsafeFileError(f"file {_shown(name)} is also used as a folder by {_shown(other)}")
    return encoded


def write_tree(root: str, files: dict[str, bytes]) -> None:
    """Create files under `root` relative to directory fds: O_EXCL|O_NOFOLLOW, directories made by us."""
    root_fd = os.open(root, _DIR_FLAGS)
    try:
        for name, data in sorted(files.items()):
            parts = check_name(name)
            dir_fd = os.dup(root_fd)
            try:
                for part in parts[:-1]:
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(part, 0o755, dir_fd=dir_fd)
                    next_fd = os.open(part, _DIR_FLAGS, dir_fd=dir_fd)
                    os.close(dir_fd)
                    dir_fd = next_fd
                fd = os.open(parts[-1], _FILE_FLAGS, 0o644, dir_fd=dir_fd)
                with open(fd, "wb") as handle:
                    handle.write(data)
            finally:
                os.close(dir_fd)
    finally:
        os.close(root_fd)


class JobDir:
    """A host directory holding `src/` (learner files), `tests/` and an empty `root/` mount point."""

    def __init__(self, job: Job, base: str | None = None) -> None:
        learner = check_files(
            job.files, max_files=job.limits.max_files, max_file_bytes=job.limits.max_file_bytes
        )
        tests = check_files(job.tests, max_files=1000, max_file_bytes=10_000_000)
        self.path = tempfile.mkdtemp(prefix="syllabus-job-", dir=base)
        try:
            # bwrap runs as uid 65534 and must be able to bind these; nothing here is secret.
            os.chmod(self.path, 0o755)
            for sub in ("src", "tests", "root"):
                os.mkdir(os.path.join(self.path, sub), 0o755)
            write_tree(self.src, learner)
            write_tree(self.tests, tests)
        except BaseException:
            self.remove()
            raise

    @property
    def src(self) -> str:
        return os.path.join(self.path, "src")

    @property
    def tests(self) -> str:
        return os.path.join(self.path, "tests")

    @property
    def root(self) -> str:
        return os.path.join(self.path, "root")

    def remove(self) -> None:
        """rmtree never follows symlinks; only the runner ever wrote here anyway."""
        shutil.rmtree(self.path, ignore_errors=True)
