"""The example GitHub Actions workflow stays valid and uses the client the way it really works."""

import yaml

from api.settings import PROJECT_ROOT

WORKFLOW = PROJECT_ROOT / "docs" / "ci" / "github-actions.yml"


def test_workflow_runs_pytest_then_reports_with_the_cli() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    steps = workflow["jobs"]["test-and-report"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert any("pytest --junitxml=report.xml" in run for run in runs)
    report = next(step for step in steps if "syllabus ci report" in step.get("run", ""))
    assert "--junit report.xml" in report["run"] and "--exercise" in report["run"]
    assert report["env"]["SYLLABUS_TOKEN"] == "${{ secrets.SYLLABUS_TOKEN }}"
    assert report["if"].startswith("always()")
