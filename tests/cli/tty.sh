# Helpers for tests of what pith shows on a terminal (sourced by tests/cli/progress.test.sh and
# tests/integration/lib.sh).

# tty_screen: what a terminal shows at the end of a script(1) capture (stdin).
tty_screen() { python3 "$(dirname "${BASH_SOURCE[0]}")/tty_screen.py"; }

# human_bytes N: a size as pith's progress lines print it (binary units, one decimal).
human_bytes() {
  awk -v b="$1" 'BEGIN {
    if (b < 1024) printf "%d B", b
    else if (b < 1048576) printf "%.1f KiB", b / 1024
    else if (b < 1073741824) printf "%.1f MiB", b / 1048576
    else printf "%.1f GiB", b / 1073741824 }'
}
