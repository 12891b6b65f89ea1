"""Where things live inside the sandbox; the runner's policy imports these so both sides agree."""

# Not /work: hosts (like ours) keep the runtime venv under /work, and a scratch tmpfs there would hide it.
WORK_DIR = "/solution"
TESTS_DIR = "/tests"
SRC_DIR = "/src"
