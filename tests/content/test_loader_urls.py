"""URL normalization: the one function that decides whether two links are the same resource."""

import pytest

from content.urls import normalize_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM/Path", "https://example.com/Path"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/", "https://example.com/"),
        ("https://example.com/docs/", "https://example.com/docs/"),
        ("https://example.com/docs", "https://example.com/docs"),
        ("https://example.com/a?utm_source=x&utm_medium=y", "https://example.com/a"),
        ("https://example.com/a?b=2&fbclid=abc&a=1&gclid=z", "https://example.com/a?b=2&a=1"),
        ("https://example.com/a?UTM_Campaign=x&q=1", "https://example.com/a?q=1"),
        ("https://example.com/a#section-2", "https://example.com/a"),
        ("https://example.com/app#/route", "https://example.com/app#/route"),
        ("https://example.com/a?", "https://example.com/a"),
        ("  https://user:pw@example.com/a  ", "https://example.com/a"),
        ("https://example.com/caf%c3%a9", "https://example.com/caf%C3%A9"),
        ("https://[::1]:443/a", "https://[::1]/a"),
        (
            "https://www.youtube.com/watch?v=fNk_zzaMoSs&list=PLZHQObOWTQDPD3MizzM2xVFitgF8hE_ab",
            "https://www.youtube.com/watch?v=fNk_zzaMoSs&list=PLZHQObOWTQDPD3MizzM2xVFitgF8hE_ab",
        ),
        ("https://youtu.be/i_LwzRVP7bg?si=Xy12&t=30", "https://youtu.be/i_LwzRVP7bg?t=30"),
        ("https://example.com/a?si=kept", "https://example.com/a?si=kept"),
    ],
)
def test_normalize(url: str, expected: str) -> None:
    assert normalize_url(url) == expected
    assert normalize_url(expected) == expected  # idempotent


def test_http_and_https_stay_distinct() -> None:
    assert normalize_url("http://example.com/a") != normalize_url("https://example.com/a")


@pytest.mark.parametrize(
    "url", ["ftp://example.com/", "mailto:a@example.com", "example.com/a", "https://", ""]
)
def test_rejects_non_http_urls(url: str) -> None:
    with pytest.raises(ValueError, match="URL"):
        normalize_url(url)
