#!/usr/bin/python3
"""Normalises file-tree listings so the integration tests can diff them line by line.

  listing.py find FILE   FILE holds `find ROOT -mindepth 1 -printf "$FIND_FORMAT"` output
                         (FIND_FORMAT below; path relative to ROOT)
  listing.py pith FILE   FILE holds `pith ls --json` output
  listing.py tar FILE    FILE holds `tar -tf` output (paths only; for path-set comparisons)

Prints one line per entry, sorted by path:
  /path <TAB> type <TAB> mode (octal) <TAB> uid <TAB> gid <TAB> size <TAB> mtime <TAB> link
Hard links are compared as what they are on disk: every member of a group of hard-linked
paths is printed as a "file" with the group's size and link "=<first path of the group>",
whichever of them the tar stream stored as the link.
Options: --paths (paths only), --no-dir-mtime (print "-" for directory mtimes),
--exclude PATH (drop PATH and everything under it; repeatable).
`pith` mode also checks the output's own contract (sorted, no duplicates, no "/", absolute
paths, known types) and prints problems to stderr with exit status 1.
"""
import argparse
import json
import sys

FIND_FORMAT = r"%P\t%y\t%m\t%U\t%G\t%s\t%T@\t%l\t%i\n"
FIND_TYPES = {"f": "file", "d": "directory", "l": "symlink", "c": "char", "b": "block",
              "p": "fifo", "s": "socket"}
PITH_TYPES = {"file", "directory", "symlink", "hardlink", "char", "block", "fifo"}


def absolute(path):
    path = path.strip()
    while path.startswith("./"):
        path = path[2:]
    path = "/" + path.lstrip("/")
    if len(path) > 1:
        path = path.rstrip("/")
    return path


class Entry:
    def __init__(self, path, type_, mode, uid, gid, size, mtime, link):
        self.path, self.type, self.mode, self.uid, self.gid = path, type_, mode, uid, gid
        self.size, self.mtime, self.link = size, mtime, link

    def line(self, paths_only, dir_mtime):
        if paths_only:
            return self.path
        mtime = self.mtime if (dir_mtime or self.type != "directory") else "-"
        size = self.size if self.type == "file" else "-"
        mode = "%04o" % self.mode if isinstance(self.mode, int) else str(self.mode)
        return "\t".join(str(x) for x in (self.path, self.type, mode, self.uid, self.gid,
                                          size, mtime, self.link or "-"))


def group_hardlinks(entries, groups):
    """groups: lists of paths that are one inode. Rewrites their members as files."""
    by_path = {e.path: e for e in entries}
    for members in groups:
        members = sorted(p for p in members if p in by_path)
        if len(members) < 2:
            continue
        sizes = [by_path[p].size for p in members if by_path[p].type == "file"]
        size = max(sizes) if sizes else 0
        for p in members:
            e = by_path[p]
            e.type, e.size, e.link = "file", size, "=" + members[0]


def read_find(text):
    entries, inodes = [], {}
    for raw in text.splitlines():
        if not raw:
            continue
        rel, y, mode, uid, gid, size, mtime, link, inode = raw.split("\t")
        e = Entry(absolute(rel), FIND_TYPES.get(y, "unknown:" + y), int(mode, 8), int(uid),
                  int(gid), int(size), int(float(mtime)), link if y == "l" else "")
        entries.append(e)
        if y == "f":
            inodes.setdefault(inode, []).append(e.path)
    group_hardlinks(entries, [m for m in inodes.values() if len(m) > 1])
    return entries, []


def read_pith(text):
    problems = []
    try:
        doc = json.loads(text)
    except ValueError as e:
        return [], ["pith ls --json is not JSON: %s" % e]
    if not isinstance(doc, list):
        return [], ["pith ls --json is not a JSON array"]
    entries, links = [], {}
    raw_paths = []
    for i, obj in enumerate(doc):
        if not isinstance(obj, dict) or "path" not in obj:
            problems.append("entry %d has no path: %r" % (i, obj))
            continue
        path = obj["path"]
        raw_paths.append(path)
        if not path.startswith("/"):
            problems.append("path %r is not absolute" % path)
        if path == "/":
            problems.append('the root "/" is listed')
            continue
        t = obj.get("type")
        if t not in PITH_TYPES:
            problems.append("%s: unknown type %r" % (path, t))
        for field in ("mode", "uid", "gid", "size", "mtime"):
            if not isinstance(obj.get(field), int):
                problems.append("%s: %s is %r, not an integer" % (path, field, obj.get(field)))
        if t in ("symlink", "hardlink") and not obj.get("link"):
            problems.append("%s: %s without link" % (path, t))
        if t not in ("symlink", "hardlink") and obj.get("link"):
            problems.append("%s: %s has link %r" % (path, t, obj.get("link")))
        if t != "file" and obj.get("size") not in (0, None):
            problems.append("%s: %s has size %r (only regular files have one)" % (path, t, obj.get("size")))
        link = obj.get("link") or ""
        e = Entry(absolute(path), t, obj.get("mode"), obj.get("uid"), obj.get("gid"),
                  obj.get("size"), obj.get("mtime"), link if t == "symlink" else "")
        entries.append(e)
        if t == "hardlink":
            links[e.path] = absolute(link)
    if len(set(raw_paths)) != len(raw_paths):
        dups = sorted({p for p in raw_paths if raw_paths.count(p) > 1})
        problems.append("duplicate paths: %s" % ", ".join(dups[:10]))
    if raw_paths != sorted(raw_paths, key=lambda p: p.encode()) and \
            raw_paths != sorted(raw_paths, key=lambda p: p.encode().split(b"/")):
        first = next(i for i in range(1, len(raw_paths))
                     if raw_paths[i - 1].encode() > raw_paths[i].encode())
        problems.append("not sorted by path (bytewise or by component): %r before %r"
                        % (raw_paths[first - 1], raw_paths[first]))
    # Union the hard links with their targets into inode groups.
    parent = {}

    def find(p):
        while parent.get(p, p) != p:
            p = parent[p]
        return p
    for src, dst in links.items():
        parent[find(src)] = find(dst)
    groups = {}
    for p in list(links) + list(links.values()):
        groups.setdefault(find(p), set()).add(p)
    known = {e.path for e in entries}
    for src, dst in links.items():
        if dst not in known:
            problems.append("%s: hard link to %s, which is not in the listing" % (src, dst))
    group_hardlinks(entries, [sorted(g) for g in groups.values()])
    return entries, problems


def read_tar(text):
    entries = []
    for raw in text.splitlines():
        path = absolute(raw)
        if path != "/":
            entries.append(Entry(path, "-", 0, 0, 0, 0, 0, ""))
    return entries, []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["find", "pith", "tar"])
    ap.add_argument("file")
    ap.add_argument("--paths", action="store_true")
    ap.add_argument("--no-dir-mtime", action="store_true")
    ap.add_argument("--exclude", action="append", default=[])
    args = ap.parse_args()
    with open(args.file, encoding="utf-8", errors="surrogateescape") as f:
        text = f.read()
    entries, problems = {"find": read_find, "pith": read_pith, "tar": read_tar}[args.kind](text)
    excluded = [absolute(x) for x in args.exclude]
    lines = set()
    for e in entries:
        if any(e.path == x or e.path.startswith(x + "/") for x in excluded):
            continue
        lines.add(e.line(args.paths or args.kind == "tar", not args.no_dir_mtime))
    out = sys.stdout
    for line in sorted(lines, key=lambda s: s.encode("utf-8", "surrogateescape")):
        out.write(line.encode("utf-8", "surrogateescape").decode("utf-8", "replace") + "\n")
    for p in problems:
        print("pith ls: %s" % p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
