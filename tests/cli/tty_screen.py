#!/usr/bin/env python3
"""What a terminal shows at the end of a script(1) capture read on stdin.

Replays carriage returns, cursor-up (ESC[nA) and erase-below (ESC[J) / erase-line (ESC[K), so
progress lines redrawn in place leave only their last state; colours (ESC[...m) are dropped.
Prints the screen's lines.
"""
import re
import sys

data = sys.stdin.buffer.read().decode("utf-8", "replace")
lines, row = [""], 0
for n, cmd, brk, text in re.findall(r"\x1b\[([\d;]*)([A-Za-z])|(\r\n|\r|\n)|([^\x1b\r\n]+)", data):
    if cmd == "A":
        row = max(0, row - int(n or 1))
    elif cmd == "J":
        del lines[row + 1:]
        lines[row] = ""
    elif cmd == "K":
        lines[row] = ""
    elif brk == "\r":
        lines[row] = ""
    elif brk:
        row += 1
        if row == len(lines):
            lines.append("")
    elif text:
        lines[row] += text
while lines and lines[-1] == "":
    lines.pop()
print("\n".join(lines))
