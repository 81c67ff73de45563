#!/usr/bin/python3
"""Finds the processes tests left running, names them, stops them, and fails if there were any.

Usage: leftovers.py NAME=VALUE
A process is a leftover when NAME=VALUE is in its environment: tests/integration/lib.sh exports
PITH_TEST_TMP (one script's run; checked when the script ends) and PITH_TEST_RUN (the whole
suite's: ctest sets it to the build directory and runs this script after the last test), and
every process a test starts inherits them. This script and its ancestors are left out.
Exit 0 when none is left; 1 otherwise, after TERM (then KILL) to each by PID.
"""
import os
import signal
import sys
import time


def ancestors(pid):
    found = set()
    while pid > 1 and pid not in found:
        found.add(pid)
        try:
            with open("/proc/%d/stat" % pid) as f:
                pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return found


def marked(marker):
    """PID -> command line of every process whose environment holds marker."""
    want = marker.encode()
    mine = ancestors(os.getpid())
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) in mine:
            continue
        try:
            with open("/proc/%s/environ" % name, "rb") as f:
                if want not in f.read().split(b"\0"):
                    continue
            with open("/proc/%s/cmdline" % name, "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:  # gone meanwhile, or a kernel thread
            continue
        found[int(name)] = cmdline or "(no command line)"
    return found


def alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def main():
    if len(sys.argv) != 2 or "=" not in sys.argv[1]:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    left = marked(sys.argv[1])
    if not left:
        return 0
    for pid, cmdline in sorted(left.items()):
        print("leftover process %d (%s): %s" % (pid, sys.argv[1], cmdline[:300]), file=sys.stderr)
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(p) for p in left):
        time.sleep(0.2)
    for pid in left:
        if alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    print("%d process(es) left running by the tests (stopped now)" % len(left), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
