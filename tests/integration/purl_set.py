#!/usr/bin/env python3
"""Canonical package URLs, one per line, for comparing two tools' purl sets.

Reads purls (one a line) on stdin and prints each in its canonical form, sorted, duplicates
removed. Only what the purl specification itself says is equivalent is made equal:
  - the scheme and the type are case-insensitive: lowercased;
  - every component is percent-decoded and re-encoded one way (RFC 3986 unreserved characters,
    plus ':' in the version and '/' nowhere inside a segment, are left as they are; everything
    else is %XX with upper-case hex), so "1.0+deb1" and "1.0%2Bdeb1" are the same version;
  - qualifier keys are lowercased, qualifiers with an empty value are dropped and the rest are
    sorted by key ("?distro=x&arch=y" is "?arch=y&distro=x");
  - empty namespace segments and a trailing '/' are dropped, a subpath's '.' and '..'
    segments too.
Nothing type-specific is done (no lowercasing of names, no pypi '_' to '-'): a tool that does
not write the name the way the type's rules ask is reported as different.

A line that is not a purl is printed as "INVALID <line>" (so it shows up as a difference).
"""
import sys
from urllib.parse import quote, unquote

UNRESERVED_EXTRA = "-._~"


def enc(s, safe=""):
    return quote(s, safe=UNRESERVED_EXTRA + safe)


def canonical(purl):
    purl = purl.strip()
    if not purl.lower().startswith("pkg:"):
        raise ValueError("no pkg: scheme")
    rest = purl[4:].lstrip("/")
    subpath = ""
    if "#" in rest:
        rest, subpath = rest.split("#", 1)
    qualifiers = ""
    if "?" in rest:
        rest, qualifiers = rest.split("?", 1)
    version = None
    # The version follows the last '@' (an '@' in an npm scope is percent-encoded as %40, or,
    # written literally, comes before the name's last '/').
    at = rest.rfind("@")
    if at > rest.rfind("/"):
        rest, version = rest[:at], rest[at + 1:]
    if "/" not in rest:
        raise ValueError("no type/name")
    ptype, path = rest.split("/", 1)
    segments = [unquote(s) for s in path.strip("/").split("/") if s]
    if not segments or not ptype:
        raise ValueError("no name")
    out = "pkg:" + ptype.lower() + "/" + "/".join(enc(s) for s in segments)
    if version is not None:
        out += "@" + enc(unquote(version), safe=":")
    pairs = []
    for q in qualifiers.split("&"):
        if not q:
            continue
        key, _, value = q.partition("=")
        value = unquote(value)
        if value:
            pairs.append((key.lower(), value))
    if pairs:
        out += "?" + "&".join(k + "=" + enc(v, safe=":/") for k, v in sorted(pairs))
    sub = [s for s in subpath.strip("/").split("/") if s not in ("", ".", "..")]
    if sub:
        out += "#" + "/".join(enc(unquote(s)) for s in sub)
    return out


def main():
    seen = set()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            seen.add(canonical(line))
        except ValueError:
            seen.add("INVALID " + line)
    for p in sorted(seen):
        print(p)


if __name__ == "__main__":
    main()
