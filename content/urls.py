"""The one URL normalization used for duplicate detection, in content files and in the API alike.

Rules, in order (each chosen so that two spellings of the same link compare equal while the result is
still a working URL):

- surrounding whitespace is stripped; only absolute ``http``/``https`` URLs with a host are accepted
  (anything else raises ``ValueError``); ``http`` and ``https`` stay distinct, as do ``www.`` and bare hosts,
  because they can be different sites;
- scheme and host are lowercased; user info is dropped (never part of a shareable link); the default
  port (80 for http, 443 for https) is dropped;
- path: an empty path becomes ``/`` (``https://x.org`` and ``https://x.org/`` are the same request); any
  other trailing slash is **kept**: RFC 3986 treats ``/a`` and ``/a/`` as different resources, and the
  stored URL must stay the working one (GitHub Pages, where several seed links live, answers ``/a`` with a
  301 to ``/a/``, so stripping it would make curated links show up as redirected). Percent-escapes are
  uppercased; the path is otherwise kept byte for byte (case matters);
- query: tracking parameters are removed (``utm_*``, ``fbclid``, ``gclid`` and friends, plus YouTube's
  ``si``/``feature`` share markers); every other parameter is kept **in its original order** with its raw
  value, because order is meaningful to some servers and rewriting values risks changing them (so
  YouTube's ``?v=…&list=…`` survives exactly); an empty query is dropped;
- fragment: dropped (it names a place in the page, not a different page), except SPA routes
  (``#/…`` or ``#!…``) which do select different content.

The result is what the database stores (so a lookup by equality finds duplicates), and the function is
idempotent: ``normalize_url(normalize_url(u)) == normalize_url(u)``. Every URL in ``resources.yaml`` is
already in this form, so exporting the database reproduces the files exactly.
"""

import re
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
    }
)
TRACKING_PREFIXES = ("utm_",)
# Share-button markers that YouTube appends; they never change which video or playlist is shown.
YOUTUBE_HOSTS = frozenset(
    {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be", "music.youtube.com"}
)
YOUTUBE_TRACKING_PARAMS = frozenset({"si", "feature", "pp"})

_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")


def normalize_url(url: str) -> str:
    """Return the canonical form of ``url`` used to detect duplicate links (see the module docstring)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {url!r}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise ValueError(f"URL has no host: {url!r}")
    return urlunsplit(
        SplitResult(
            scheme=scheme,
            netloc=_netloc(host, scheme, parts),
            path=_path(parts.path),
            query=_query(parts.query, host),
            fragment=_fragment(parts.fragment),
        )
    )


def _netloc(host: str, scheme: str, parts: SplitResult) -> str:
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"bad port in URL: {parts.geturl()!r}") from exc
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"


def _path(path: str) -> str:
    return _ESCAPE.sub(lambda m: m.group(0).upper(), path) or "/"


def _query(query: str, host: str) -> str:
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        name = unquote(pair.partition("=")[0]).lower()
        if name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES):
            continue
        if host in YOUTUBE_HOSTS and name in YOUTUBE_TRACKING_PARAMS:
            continue
        kept.append(pair)
    return "&".join(kept)


def _fragment(fragment: str) -> str:
    return fragment if fragment.startswith(("/", "!")) else ""
