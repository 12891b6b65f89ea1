"""JUnit XML (pytest `--junitxml`, Maven Surefire, jest-junit) → result document, parsed only with defusedxml.

Accepted shapes: a `<testsuites>` root (suites may nest) or a single `<testsuite>` root; every
`<testcase>` anywhere below is one test. Namespaces are ignored. A test's outcome comes from its first
`<failure>` (fail), `<error>` (error) or `<skipped>` (skip) child, else it passed; Surefire's
`flakyFailure`/`rerunFailure` children alone do not fail a test that finally passed. The message is the
element's `message` attribute followed by its text (the traceback); `output` is the test's
`<system-out>` and `<system-err>`; `time` (seconds) becomes `duration_ms`. The name is
`classname.name`, or just `name` when the class name is empty or already part of it (jest-junit).

Refused: any `<!DOCTYPE>` (so entity expansion and external entities never happen) and encodings other
than UTF-8 declared in the XML declaration, since the payload arrives as text.
"""

import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
from defusedxml.ElementTree import fromstring

from api.ci.parsers.document import (
    ParsedPayload,
    ParsedTest,
    PayloadError,
    PayloadRefused,
    build_document,
    check_text,
)

_DECLARED_ENCODING = re.compile(r"""^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([^"']*)["']""")
_UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
_OUTCOMES = (("failure", "fail"), ("error", "error"), ("skipped", "skip"))


def _local(tag: str) -> str:
    """The tag without its `{namespace}`."""
    return tag.rsplit("}", 1)[-1]


def _parse_xml(text: str) -> Element:
    declared = _DECLARED_ENCODING.match(text)
    if declared and declared.group(1).strip().lower() not in _UTF8_NAMES:
        raise PayloadError(
            "payload",
            f"line 1: the XML declaration says encoding={declared.group(1)!r}, but payloads are UTF-8 text; "
            "re-encode the report as UTF-8",
        )
    try:
        root: Element = fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DTDForbidden as exc:
        raise PayloadRefused(
            "payload",
            f"<!DOCTYPE {exc.name}> refused: document type declarations are not accepted, since they enable "
            "entity expansion (billion laughs) and external entities; JUnit reports never need one",
        ) from exc
    except EntitiesForbidden as exc:
        raise PayloadRefused(
            "payload", f"entity {exc.name!r} refused: XML entity declarations are not accepted"
        ) from exc
    except DefusedXmlException as exc:
        raise PayloadRefused(
            "payload", f"refused ({type(exc).__name__}): external references are not accepted"
        ) from exc
    except ParseError as exc:
        line, column = exc.position
        problem = str(exc).rsplit(": line ", 1)[0]
        raise PayloadError("payload", f"line {line}, column {column + 1}: {problem}") from exc
    return root


def _seconds_to_ms(value: str | None) -> float:
    """`time="1,234.5"` (old Surefire) or `"0.002"` → milliseconds; unreadable or negative → 0."""
    if not value:
        return 0.0
    try:
        seconds = float(value.replace(",", ""))
    except ValueError:
        return 0.0
    return seconds * 1000 if seconds > 0 and seconds != float("inf") else 0.0


def _text(element: Element | None) -> str | None:
    if element is None or not (element.text or "").strip():
        return None
    return (element.text or "").strip("\n")


def _joined(*parts: str | None) -> str | None:
    kept = [p for p in parts if p]
    return "\n\n".join(kept) if kept else None


def _test_of(case: Element, index: int) -> ParsedTest:
    name = (case.get("name") or "").strip()
    if not name:
        raise PayloadError(f"payload: testcase[{index}]", "has no name attribute")
    classname = (case.get("classname") or "").strip()
    full = name if not classname or classname in name else f"{classname}.{name}"
    children = {_local(child.tag): child for child in reversed(list(case))}
    status: str = "pass"
    message: str | None = None
    for tag, outcome in _OUTCOMES:
        element = children.get(tag)
        if element is not None:
            status = outcome
            attr = (element.get("message") or "").strip() or None
            body = _text(element)
            message = body if body and attr and attr in body else _joined(attr, body)
            break
    output = _joined(_text(children.get("system-out")), _text(children.get("system-err")))
    return ParsedTest(
        name=full,
        status=status,  # type: ignore[arg-type]
        message=message,
        output=output,
        duration_ms=_seconds_to_ms(case.get("time")),
    )


def parse_junit(payload: str) -> ParsedPayload:
    """Parse a JUnit XML report (see the module docstring)."""
    text = check_text(payload, kind="JUnit XML text")
    root = _parse_xml(text)
    if _local(root.tag) not in ("testsuites", "testsuite"):
        raise PayloadError(
            "payload", f"the root element is <{_local(root.tag)}>; expected <testsuites> or <testsuite>"
        )
    cases = [element for element in root.iter() if _local(element.tag) == "testcase"]
    if not cases:
        raise PayloadError("payload", "has no <testcase> elements; did the test run collect any tests?")
    tests = [_test_of(case, index) for index, case in enumerate(cases)]
    return build_document(tests, status=None, message=None, canonical=text)
