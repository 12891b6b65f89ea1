"""The real `syllabus` client against a real running server: login, learning commands, ci report, errors."""

import json
import stat
from pathlib import Path

import pytest
from sqlmodel import Session, select

from cli.client.catalogue import safe_relative_path
from cli.client.http import ClientError
from db.models import CiRun, Exercise, Submission
from tests.ci.support import FIXTURES
from tests.cli.conftest import LiveServer, RunCli
from tests.conftest import Actors

PASSING_JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="2" failures="0" errors="0" skipped="0" time="0.05">
<testcase classname="tests.test_solution" name="test_shape" time="0.01"/>
<testcase classname="tests.test_solution" name="test_values" time="0.02"/>
</testsuite></testsuites>
"""


def test_login_then_learning_commands(
    cli: RunCli, live_server: LiveServer, actors: Actors, config_home: Path
) -> None:
    r = cli("login", "--server", live_server.url + "/", "--token", actors.learner.token)
    assert r.exit_code == 0, r.output
    saved = config_home / "syllabus" / "config.json"
    assert json.loads(saved.read_text()) == {"server": live_server.url, "token": actors.learner.token}
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600

    r = cli("next")  # server and token come from the saved file
    assert r.exit_code == 0, r.output
    assert "Next up" in r.stdout and "python-basics" in r.stdout

    r = cli("goal", "set", "--topics", "python-basics,numpy", "--minutes", "90", "--active-days", "3")
    assert r.exit_code == 0, r.output
    r = cli("goal", "show", "--week", "current")
    assert r.exit_code == 0, r.output
    assert "not met yet" in r.stdout
    assert "python-basics, numpy" in r.stdout and "minutes" in r.stdout and "active days" in r.stdout

    r = cli("progress", "set", "python-basics", "completed")
    assert r.exit_code == 0, r.output
    assert "python-basics: completed" in r.stdout
    r = cli("progress", "show")
    assert r.exit_code == 0 and "python-basics" in r.stdout

    r = cli("path", "rnns-lstms-grus")
    assert r.exit_code == 0, r.output
    assert "Path to rnns-lstms-grus" in r.stdout and "hours in all" in r.stdout

    r = cli("topics", "--section", "python")
    assert r.exit_code == 0 and "python-basics" in r.stdout
    r = cli("graph", "--format", "dot")
    assert r.exit_code == 0 and r.stdout.lstrip().startswith("digraph")
    r = cli("graph")
    assert r.exit_code == 0 and r.stdout.startswith("flowchart") and '"Python basics"' in r.stdout


def test_exercise_get_writes_files_and_refuses_unsafe_names(
    cli: RunCli, live_server: LiveServer, actors: Actors, tmp_path: Path, db: Session
) -> None:
    env = {"SYLLABUS_SERVER": live_server.url, "SYLLABUS_TOKEN": actors.learner.token}
    r = cli("exercises", env=env)
    assert r.exit_code == 0 and "numpy-vectors-matrices" in r.stdout
    target = tmp_path / "work"
    r = cli("exercise", "get", "numpy-vectors-matrices", "--dir", str(target), env=env)
    assert r.exit_code == 0, r.output
    assert {p.name for p in target.iterdir()} == {"README.md", "solution.py", "test_visible.py"}
    r = cli("exercise", "get", "numpy-vectors-matrices", "--dir", str(target), env=env)
    assert r.exit_code == 2 and "--force" in r.stderr

    exercise = db.exec(select(Exercise).where(Exercise.slug == "numpy-vectors-matrices")).one()
    exercise.starter_files = {**exercise.starter_files, "../escape.py": "print('pwned')\n"}
    db.add(exercise)
    db.commit()
    evil = tmp_path / "evil"
    r = cli("exercise", "get", "numpy-vectors-matrices", "--dir", str(evil), env=env)
    assert r.exit_code == 2
    assert "unsafe file name '../escape.py'" in r.stderr
    assert not evil.exists() and not (tmp_path / "escape.py").exists()


@pytest.mark.parametrize("name", ["/etc/passwd", "../x.py", "a/../../x", "a\\b.py", "", ".hidden"])
def test_unsafe_names(name: str) -> None:
    with pytest.raises(ClientError):
        safe_relative_path(name)


def test_ci_report_exit_codes(
    cli: RunCli, live_server: LiveServer, actors: Actors, tmp_path: Path, db: Session
) -> None:
    env = {"SYLLABUS_SERVER": live_server.url, "SYLLABUS_TOKEN": actors.ci.token}
    passing = tmp_path / "report.xml"
    passing.write_text(PASSING_JUNIT)
    args = ["ci", "report", "--exercise", "linear-regression", "--commit", "abc1234"]
    r = cli(
        *args, "--run-id", "100-1", "--junit", str(passing), "--run-url", "https://ci.example/100", env=env
    )
    assert r.exit_code == 0, r.output
    assert "passed" in r.stdout and "2 passed, 0 failed" in r.stdout

    r = cli(
        *args, "--run-id", "100-1", "--junit", str(passing), "--run-url", "https://ci.example/100", env=env
    )
    assert r.exit_code == 0, r.output
    assert "already reported" in r.stdout

    r = cli(*args, "--run-id", "101-1", "--junit", str(FIXTURES / "pytest-junit.xml"), env=env)
    assert r.exit_code == 1, r.output
    assert "failed" in r.stdout

    r = cli(*args, "--run-id", "100-1", "--junit", str(FIXTURES / "pytest-junit.xml"), env=env)
    assert r.exit_code == 2
    assert "(409)" in r.stderr and "different result" in r.stderr

    runs = db.exec(select(CiRun).order_by(CiRun.id)).all()  # type: ignore[arg-type]
    assert [(run.run_id, run.commit_sha) for run in runs] == [("100-1", "abc1234"), ("101-1", "abc1234")]
    subs = db.exec(select(Submission).order_by(Submission.id)).all()  # type: ignore[arg-type]
    assert [(s.source, s.status, s.learner_id) for s in subs] == [
        ("ci", "passed", actors.learner.learner_id),
        ("ci", "failed", actors.learner.learner_id),
    ]


def test_ci_report_on_github_actions_defaults(
    cli: RunCli, live_server: LiveServer, actors: Actors, tmp_path: Path, db: Session
) -> None:
    report = tmp_path / "results.json"
    report.write_text((FIXTURES / "exercism-v3.json").read_text())
    env = {
        "SYLLABUS_SERVER": live_server.url,
        "SYLLABUS_TOKEN": actors.ci.token,
        "GITHUB_RUN_ID": "777",
        "GITHUB_RUN_ATTEMPT": "2",
        "GITHUB_SHA": "f" * 40,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "ada/ml-practice",
    }
    r = cli("ci", "report", "--exercise", "linear-regression", "--exercism", str(report), env=env)
    assert r.exit_code == 0, r.output
    run = db.exec(select(CiRun)).one()
    assert (run.run_id, run.commit_sha, run.run_url) == (
        "777-2",
        "f" * 40,
        "https://github.com/ada/ml-practice/actions/runs/777",
    )


def test_clear_errors_for_bad_input(
    cli: RunCli, live_server: LiveServer, actors: Actors, tmp_path: Path
) -> None:
    env = {"SYLLABUS_SERVER": live_server.url, "SYLLABUS_TOKEN": actors.ci.token}
    report = tmp_path / "r.xml"
    report.write_text(PASSING_JUNIT)
    r = cli(
        "ci", "report", "--exercise", "no-such-exercise", "--run-id", "1", "--junit", str(report), env=env
    )
    assert r.exit_code == 2
    assert r.stderr.strip() == "error: not found (404): exercise 'no-such-exercise' not found"

    broken = tmp_path / "broken.xml"
    broken.write_text((FIXTURES / "mismatched.xml").read_text())
    r = cli(
        "ci", "report", "--exercise", "linear-regression", "--run-id", "2", "--junit", str(broken), env=env
    )
    assert r.exit_code == 2
    assert "(422): payload: line 4, column 20: mismatched tag" in r.stderr

    r = cli(
        "ci", "report", "--exercise", "linear-regression", "--run-id", "3", "--junit",
        str(FIXTURES / "utf16-declared-utf8.xml"), env=env,
    )  # fmt: skip
    assert r.exit_code == 2
    assert "is not UTF-8 text (byte 0xff at offset 0)" in r.stderr

    r = cli("next", env=env)  # a ci token can do nothing but post results
    assert r.exit_code == 2 and "(403)" in r.stderr

    r = cli("ci", "report", "--exercise", "linear-regression", "--run-id", "4", env=env)
    assert r.exit_code == 2 and "exactly one of --junit" in r.stderr
    assert "Traceback" not in r.output


def test_bad_token_exits_2_and_saves_nothing(cli: RunCli, live_server: LiveServer, config_home: Path) -> None:
    r = cli("login", "--server", live_server.url, "--token", "sy_not_a_real_token")
    assert r.exit_code == 2
    assert "rejected the token (401)" in r.stderr
    assert not (config_home / "syllabus" / "config.json").exists()
    r = cli("next", "--server", live_server.url, "--token", "sy_not_a_real_token")
    assert r.exit_code == 2 and "(401)" in r.stderr


def test_not_configured_exits_2(cli: RunCli) -> None:
    r = cli("next")
    assert r.exit_code == 2
    assert "no server configured" in r.stderr


def test_server_down_exits_2_with_one_line(cli: RunCli, tmp_path: Path) -> None:
    from tests.e2e.live import free_port

    report = tmp_path / "r.xml"
    report.write_text(PASSING_JUNIT)
    url = f"http://127.0.0.1:{free_port()}"
    done = cli.subprocess("ci", "report", "--exercise", "x", "--run-id", "1", "--junit", str(report),
                          env={"SYLLABUS_SERVER": url, "SYLLABUS_TOKEN": "t"})  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert (
        done.stderr.strip()
        == f"error: cannot reach the Syllabus server at {url} (Connection refused); is it running?"
    )
    assert done.stdout == ""
