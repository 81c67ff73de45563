#!/usr/bin/env python3
"""The ELF closure of a program in a root directory, derived with binutils' readelf and the
dynamic loader's documented search (ld.so(8)), as an oracle independent of pith's loader:
PT_INTERP; then breadth first, each object's DT_NEEDED searched in its DT_RPATH (when it has
no DT_RUNPATH, and the RPATHs of the objects that loaded it), its DT_RUNPATH, then the
system's directories (given: Debian's multiarch ones first, as its glibc is configured);
$ORIGIN expanded; symlinks resolved inside ROOT. No ld.so.cache is read (an extract-variant
root has none: nothing ran ldconfig). Then what glibc dlopens itself: libgcc_s.so.1 when an
object other than libc names pthread_cancel or pthread_exit in its dynamic symbols (glibc
unwinds a cancelled thread with it), or libstdc++/libpthread is loaded; and glibc's gconv
modules (every ELF file of the gconv folder beside the system directories) when an object other
than libc and libstdc++ names iconv_open (iconv loads one per character set, by name).

Usage: elf_closure.py ROOT PROGRAM SYSTEM_DIR... -> canonical paths (in ROOT), one per line.
"""
import os
import re
import subprocess
import sys


def in_root(root, path):
    """PATH resolved as a chroot would resolve it (absolute links stay inside ROOT)."""
    parts = [p for p in path.split("/") if p]
    done = []
    hops = 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            if done:
                done.pop()
            continue
        if part == ".":
            continue
        candidate = os.path.join(root, *done, part)
        if os.path.islink(candidate):
            hops += 1
            if hops > 40:
                return None
            target = os.readlink(candidate)
            if target.startswith("/"):
                done = []
            parts = [p for p in target.split("/") if p] + parts
            continue
        if not os.path.exists(candidate):
            return None
        done.append(part)
    return "/" + "/".join(done)


def readelf(root, path, *flags):
    return subprocess.run(["readelf", "-W", *flags, root + path], capture_output=True,
                          text=True, check=True).stdout


def dynamic(root, path):
    out = readelf(root, path, "-d")
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.*?)\]", out)
    rpath = re.findall(r"\(RPATH\)\s+Library rpath: \[(.*?)\]", out)
    runpath = re.findall(r"\(RUNPATH\)\s+Library runpath: \[(.*?)\]", out)
    return needed, rpath[0].split(":") if rpath else [], runpath[0].split(":") if runpath else []


def main():
    root, program, system = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3:]
    found = set()
    program = in_root(root, program)
    found.add(program)
    interp = re.search(r"Requesting program interpreter: (.*?)\]", readelf(root, program, "-l"))
    if interp:
        found.add(in_root(root, interp.group(1)))
    queue = [(program, [])]
    seen_names = {}
    while queue:
        obj, inherited_rpath = queue.pop(0)
        needed, rpath, runpath = dynamic(root, obj)
        origin = os.path.dirname(obj)
        expand = lambda d: d.replace("$ORIGIN", origin).replace("${ORIGIN}", origin)
        rpaths = [] if runpath else [expand(d) for d in rpath] + inherited_rpath
        for name in needed:
            if name in seen_names:
                continue
            dirs = rpaths + [expand(d) for d in runpath] + system
            hit = None
            for d in dirs:
                hit = in_root(root, os.path.join(d, name))
                if hit:
                    break
            seen_names[name] = hit
            if hit is None:
                print("not found: " + name, file=sys.stderr)
                continue
            found.add(hit)
            queue.append((hit, rpaths))
    cancels = any(
        re.search(r"\bpthread_(cancel|exit)\b", readelf(root, obj, "--dyn-syms"))
        for obj in found if not os.path.basename(obj).startswith("libc.so"))
    if cancels or {"libstdc++.so.6", "libpthread.so.0"} & set(seen_names):
        for d in system:
            hit = in_root(root, os.path.join(d, "libgcc_s.so.1"))
            if hit:
                found.add(hit)
                break
    iconv = any(
        re.search(r"\biconv_open\b", readelf(root, obj, "--dyn-syms"))
        for obj in found
        if not os.path.basename(obj).startswith(("libc.so", "libstdc++.so")))
    if iconv:
        for d in system:
            gconv = in_root(root, os.path.join(d, "gconv"))
            if gconv and os.path.isdir(root + gconv):
                for name in sorted(os.listdir(root + gconv)):
                    path = gconv + "/" + name
                    if os.path.isfile(root + path) and not os.path.islink(root + path) and \
                            open(root + path, "rb").read(4) == b"\x7fELF":
                        found.add(path)
    for path in sorted(found):
        print(path)


if __name__ == "__main__":
    main()
