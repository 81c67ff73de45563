#!/usr/bin/env python3
"""Writes a one-layer OCI layout by hand, for lint's rule twins: host files (with every symlink
on their way, as the loader names them), generated files, paths left out, modes changed, and
any image config. The layout writer is the hostile tier's (tests/hostile/make_cases.py).

Usage: lint_image.py OUT_LAYOUT --host PATH... [--drop PATH]... [--mode PATH=0644]...
                     [--file PATH=TEXT]... [--dir PATH=MODE]... [--patch PATH=OLD:NEW]...
                     [--config JSON]
--patch replaces the first NUL-terminated string OLD in a file by NEW (the same length).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hostile"))
import make_cases as mc  # noqa: E402


def host_entries(path, out):
    """`path` and every symlink met resolving it, as (path, kind, data, target, mode)."""
    parts = [p for p in path.split("/") if p]
    at = ""
    while parts:
        at = at + "/" + parts.pop(0)
        st = os.lstat(at)
        if os.path.islink(at):
            target = os.readlink(at)
            out[at] = ("symlink", b"", target.encode(), 0o777)
            base = os.path.dirname(at) if not target.startswith("/") else ""
            parts = [p for p in (base + "/" + target).split("/") if p] + parts
            at = ""
            continue
        if os.path.isdir(at):
            out.setdefault(at, ("dir", b"", b"", st.st_mode & 0o7777))
        else:
            with open(at, "rb") as f:
                out[at] = ("file", f.read(), b"", st.st_mode & 0o7777)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--host", action="append", default=[])
    ap.add_argument("--drop", action="append", default=[])
    ap.add_argument("--mode", action="append", default=[])
    ap.add_argument("--file", action="append", default=[])
    ap.add_argument("--dir", action="append", default=[])
    ap.add_argument("--patch", action="append", default=[])
    ap.add_argument("--config", default="{}")
    args = ap.parse_args()
    entries = {}
    for p in args.host:
        host_entries(p, entries)
    for spec in args.file:
        path, text = spec.split("=", 1)
        entries[path] = ("file", text.encode().decode("unicode_escape").encode(), b"", 0o755)
    for spec in args.dir:
        path, mode = spec.split("=", 1)
        entries[path] = ("dir", b"", b"", int(mode, 8))
    for spec in args.mode:
        path, mode = spec.split("=", 1)
        kind, data, target, _ = entries[path]
        entries[path] = (kind, data, target, int(mode, 8))
    for spec in args.patch:
        path, change = spec.split("=", 1)
        old, new = (x.encode() + b"\0" for x in change.split(":", 1))
        assert len(old) == len(new), spec
        kind, data, target, mode = entries[path]
        assert old in data, spec
        entries[path] = (kind, data.replace(old, new, 1), target, mode)
    for p in args.drop:
        entries.pop(p)
    # Parents first (sorted paths), each with its directories.
    members = []
    seen = set()
    for path in sorted(entries):
        parts = path.strip("/").split("/")
        for i in range(1, len(parts)):
            d = "/".join(parts[:i]) + "/"
            if d not in seen and "/" + d.rstrip("/") not in entries:
                seen.add(d)
                members.append(mc.entry(d.encode(), "dir", mode=0o755))
        kind, data, target, mode = entries[path]
        name = path.strip("/").encode() + (b"/" if kind == "dir" else b"")
        members.append(mc.entry(name, kind, data=data, target=target, mode=mode))
    cfg = json.loads(args.config)
    img = mc.Image([mc.Layer(mc.tar(*members))],
                   config={"config": cfg.get("config", {}),
                           "architecture": cfg.get("architecture", "amd64")})
    mc.write_tree(os.fsencode(args.out), mc.oci_tree(img, tag="t"))


if __name__ == "__main__":
    main()
