# Shared helpers of the CLI tests: assertions that print what differed, and a pass/fail tally.
# Sourced by tests/cli/*.test.sh; ctest sets PITH (the binary) and PITH_CORPUS.
set -uo pipefail
: "${PITH:?PITH must name the pith binary}" "${PITH_CORPUS:?PITH_CORPUS must name shared/corpus}"
C=$PITH_CORPUS
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
  if [ "$2" == "$3" ]; then pass; else fail "$1: expected [$2], got [$3]"; fi
}

# expect_error WHAT CMD...: exit 2 and exactly one "pith: error: " line on stderr.
expect_error() {
  local what=$1
  shift
  local rc=0
  "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  if [ "$rc" != 2 ]; then fail "$what: exit $rc, expected 2 ($(head -c 300 "$tmp/err"))"; return; fi
  if [ "$(wc -l <"$tmp/err")" != 1 ] || ! grep -q '^pith: error: ' "$tmp/err"; then
    fail "$what: stderr is not one 'pith: error:' line: $(head -c 300 "$tmp/err")"
    return
  fi
  pass
}

# expect_ok WHAT CMD...: exit 0.
expect_ok() {
  local what=$1
  shift
  if "$@" >"$tmp/out" 2>"$tmp/err"; then pass; else fail "$what: exit $? ($(head -c 300 "$tmp/err"))"; fi
}

finish() {
  echo "$(basename "$0" .test.sh): $passed passed, $failed failed"
  [ "$failed" == 0 ]
}
