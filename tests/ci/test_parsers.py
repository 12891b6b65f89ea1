"""Parsers on real-world shaped reports (pytest, Surefire, jest-junit, Exercism v1-v3) and hostile ones."""

import json

import pytest

from api.ci.parsers import PayloadError, PayloadRefused, PayloadTooLarge, parse_payload
from api.ci.parsers.document import MAX_OUTPUT_CHARS, MAX_TESTS
from tests.ci.support import FIXTURES, fixture_text


def _by_name(document: dict[str, object]) -> dict[str, dict[str, object]]:
    tests = document["tests"]
    assert isinstance(tests, list)
    return {t["name"]: t for t in tests}


def test_pytest_junitxml() -> None:
    doc = parse_payload("junit", fixture_text("pytest-junit.xml")).document
    tests = _by_name(doc)
    assert [t["status"] for t in doc["tests"]] == ["pass", "pass", "fail", "skip", "error"]  # type: ignore[attr-defined]
    assert doc["status"] == "fail"
    assert (doc["score"], doc["max_score"]) == (2.0, 4.0)  # the skipped test counts neither way
    ridge = tests["tests.test_solution.test_ridge_shrinks"]
    assert str(ridge["message"]).startswith("AssertionError: ridge norm 3.2")
    assert "tests/test_solution.py:27: AssertionError" in str(ridge["message"])
    assert ridge["output"] == "UserWarning: alpha is large"
    assert ridge["duration_ms"] == 21.0
    assert tests["tests.test_solution.test_predict_shape"]["output"] == "fitting 100 samples"
    assert "scikit-learn not installed" in str(
        tests["tests.test_solution.test_closed_form_matches_sklearn"]["message"]
    )
    assert doc["version"] == 3 and doc["truncated"] is False


def test_surefire_report() -> None:
    doc = parse_payload("junit", fixture_text("surefire.xml")).document
    tests = _by_name(doc)
    assert list(tests) == [
        "com.example.ml.MatrixTest.multipliesIdentity",
        "com.example.ml.MatrixTest.transposeTwiceIsIdentity",
        "com.example.ml.MatrixTest.inverseOfSingularThrows",
        "com.example.ml.MatrixTest.eigenvaluesOfSymmetric",
    ]
    # A flaky failure that passed on rerun is a pass.
    assert tests["com.example.ml.MatrixTest.transposeTwiceIsIdentity"]["status"] == "pass"
    failed = tests["com.example.ml.MatrixTest.inverseOfSingularThrows"]
    assert failed["status"] == "fail"
    assert "MatrixTest.java:41" in str(failed["message"])
    assert failed["output"] == "det = 0.0"
    assert tests["com.example.ml.MatrixTest.eigenvaluesOfSymmetric"]["status"] == "skip"
    assert (doc["status"], doc["score"], doc["max_score"]) == ("fail", 2.0, 3.0)


def test_jest_junit_report() -> None:
    doc = parse_payload("junit", fixture_text("jest-junit.xml")).document
    tests = _by_name(doc)
    # jest-junit repeats the title as classname; the name is not doubled.
    assert list(tests) == [
        "softmax sums to one",
        "softmax is shift invariant",
        "softmax handles large logits",
    ]
    failed = tests["softmax handles large logits"]
    assert str(failed["message"]).startswith("Error: expect(received).toBeCloseTo(expected)")
    assert failed["duration_ms"] == 6.0
    assert (doc["status"], doc["score"], doc["max_score"]) == ("fail", 2.0, 3.0)


def test_testsuite_root_all_passing_is_pass() -> None:
    xml = '<testsuite name="s"><testcase classname="c" name="a" time="1.5"/><testcase name="b"/></testsuite>'
    doc = parse_payload("junit", xml).document
    assert (doc["status"], doc["score"], doc["max_score"]) == ("pass", 2.0, 2.0)
    assert doc["tests"][0]["duration_ms"] == 1500.0  # type: ignore[index]


def test_every_test_errored_is_an_error() -> None:
    xml = (
        '<testsuites><testsuite name="s"><testcase name="tests.test_x">'
        '<error message="collection failure">ImportError</error></testcase></testsuite></testsuites>'
    )
    assert parse_payload("junit", xml).document["status"] == "error"


def test_all_skipped_is_not_a_pass() -> None:
    xml = '<testsuite name="s"><testcase name="a"><skipped/></testcase></testsuite>'
    doc = parse_payload("junit", xml).document
    assert (doc["status"], doc["score"], doc["max_score"]) == ("fail", 0.0, 0.0)


def test_exercism_v1_has_only_a_status() -> None:
    doc = parse_payload("exercism", json.loads(fixture_text("exercism-v1.json"))).document
    assert doc["status"] == "error" and doc["tests"] == []
    assert "ModuleNotFoundError" in str(doc["message"])
    assert (doc["score"], doc["max_score"]) == (0.0, 1.0)
    passing = parse_payload("exercism", {"status": "pass"}).document
    assert (passing["score"], passing["max_score"]) == (1.0, 1.0)


def test_exercism_v2_tests() -> None:
    doc = parse_payload("exercism", json.loads(fixture_text("exercism-v2.json"))).document
    assert [t["status"] for t in doc["tests"]] == ["pass", "pass", "fail"]  # type: ignore[attr-defined]
    assert doc["tests"][1]["output"] == "checking -3\n"  # type: ignore[index]
    assert (doc["status"], doc["score"], doc["max_score"]) == ("fail", 2.0, 3.0)


def test_exercism_v3_keeps_test_code_and_task_id() -> None:
    doc = parse_payload("exercism", fixture_text("exercism-v3.json")).document  # as text, too
    first = doc["tests"][0]  # type: ignore[index]
    assert first["task_id"] == 1 and "softmax" in first["test_code"]
    assert (doc["status"], doc["score"], doc["max_score"]) == ("pass", 2.0, 2.0)


def test_syllabus_document_keeps_points() -> None:
    payload = {
        "version": 3,
        "status": "fail",
        "tests": [
            {"name": "a", "status": "pass", "score": 3, "max_score": 3},
            {"name": "b", "status": "fail", "score": 0, "max_score": 2},
        ],
    }
    doc = parse_payload("syllabus", payload).document
    assert (doc["score"], doc["max_score"]) == (3.0, 5.0)


@pytest.mark.parametrize(
    ("fmt", "payload", "where", "fragment"),
    [
        ("junit", fixture_text("mismatched.xml"), "payload", "line 4, column 20: mismatched tag"),
        ("junit", "<html><body/></html>", "payload", "root element is <html>"),
        ("junit", '<testsuite name="s"></testsuite>', "payload", "no <testcase> elements"),
        ("junit", '<testsuite><testcase classname="c"/></testsuite>', "payload: testcase[0]", "no name"),
        ("junit", "", "payload", "is empty"),
        ("junit", "   \n", "payload", "is empty"),
        ("junit", {"a": 1}, "payload", "JUnit XML report as a string"),
        ("exercism", fixture_text("exercism-malformed.json"), "payload", "line 2, column 16: Expecting ','"),
        (
            "exercism",
            json.loads(fixture_text("exercism-bad-status.json")),
            "payload.tests[2].status",
            "must be",
        ),
        ("exercism", {"version": 4, "status": "pass"}, "payload.version", "must be 1, 2 or 3"),
        ("exercism", {"version": 2}, "payload.status", "is required"),
        ("exercism", "[1, 2]", "payload", "must be a JSON object"),
        (
            "exercism",
            {"status": "pass", "tests": [{"name": "a", "status": "fail"}]},
            "payload.status",
            "tests[0]",
        ),
        ("syllabus", {"version": 2, "status": "pass"}, "payload.version", "must be 3"),
        (
            "syllabus",
            {
                "version": 3,
                "status": "fail",
                "tests": [{"name": "a", "status": "fail", "score": 3, "max_score": 1}],
            },
            "payload.tests[0].score",
            "above its max_score",
        ),
    ],
)
def test_malformed_payloads_say_what_and_where(fmt: str, payload: object, where: str, fragment: str) -> None:
    with pytest.raises(PayloadError) as caught:
        parse_payload(fmt, payload)  # type: ignore[arg-type]
    assert caught.value.where == where
    assert fragment in str(caught.value)


@pytest.mark.parametrize("name", ["billion-laughs.xml", "external-entity.xml"])
def test_dtds_and_entities_are_refused(name: str) -> None:
    with pytest.raises(PayloadRefused, match="refused"):
        parse_payload("junit", fixture_text(name))


def test_entity_without_doctype_is_a_parse_error() -> None:
    with pytest.raises(PayloadError, match="undefined entity"):
        parse_payload("junit", '<testsuite><testcase name="&xxe;"/></testsuite>')


def test_utf16_file_read_as_text_is_refused() -> None:
    raw = (FIXTURES / "utf16-declared-utf8.xml").read_bytes()
    with pytest.raises(PayloadError, match=r"NUL characters.*UTF-16"):
        parse_payload("junit", raw.decode("latin-1"))


def test_non_utf8_declaration_is_refused() -> None:
    xml = '<?xml version="1.0" encoding="ISO-8859-1"?><testsuite><testcase name="a"/></testsuite>'
    with pytest.raises(PayloadError, match="encoding='ISO-8859-1'"):
        parse_payload("junit", xml)


def test_unpaired_surrogate_is_refused() -> None:
    with pytest.raises(PayloadError, match="unpaired surrogate"):
        parse_payload("junit", '<testsuite><testcase name="\udcff"/></testsuite>')


def test_bom_is_tolerated() -> None:
    assert (
        parse_payload("junit", '\ufeff<testsuite><testcase name="a"/></testsuite>').document["status"]
        == "pass"
    )


def test_ten_megabyte_payload_is_too_large() -> None:
    big = (
        '<testsuite><testcase name="a"><system-out>'
        + "x" * (10 * 1024 * 1024)
        + "</system-out></testcase></testsuite>"
    )
    with pytest.raises(PayloadTooLarge) as caught:
        parse_payload("junit", big)
    assert caught.value.cap == "payload_bytes"
    assert "5 MiB" in str(caught.value)


def test_too_many_tests() -> None:
    cases = "".join(f'<testcase name="t{i}"/>' for i in range(MAX_TESTS + 1))
    with pytest.raises(PayloadTooLarge, match="2,001 tests; the cap is 2,000"):
        parse_payload("junit", f"<testsuite>{cases}</testsuite>")
    tests = [{"name": f"t{i}", "status": "pass"} for i in range(MAX_TESTS + 1)]
    with pytest.raises(PayloadTooLarge):
        parse_payload("exercism", {"version": 2, "status": "pass", "tests": tests})


def test_long_output_is_cut_and_the_cap_named() -> None:
    out = "y" * (MAX_OUTPUT_CHARS + 500)
    parsed = parse_payload(
        "junit", f'<testsuite><testcase name="a"><system-out>{out}</system-out></testcase></testsuite>'
    )
    test = parsed.document["tests"][0]  # type: ignore[index]
    assert test["output"].endswith("[truncated]") and len(test["output"]) < MAX_OUTPUT_CHARS + 50
    assert parsed.document["truncated"] is True
    assert parsed.notes == [f"output cut to {MAX_OUTPUT_CHARS:,} characters (1 test)"]


def test_nul_in_json_strings_is_replaced() -> None:
    doc = parse_payload(
        "exercism",
        {"status": "fail", "version": 2, "tests": [{"name": "a\x00", "status": "fail", "output": "\x00"}]},
    ).document
    assert doc["tests"][0]["name"] == "a\ufffd" and doc["tests"][0]["output"] == "\ufffd"  # type: ignore[index]
