#!/usr/bin/env bash
# Hostile images (issue #10): every pith verb that reads images runs on every case that
# make_cases.py writes. All runs share one mount namespace where the host's filesystems are
# read-only; each run then gets its own namespace (unshare -m) with small tmpfs mounts, the
# only places it can write:
#
#   /tmp            tmpfs (hides the host's /tmp): SENTINEL, sentinel/{victim,secret,sub/keep},
#                   cwd/ (pith's working directory), home/ (its HOME)
#   /tmp/t          tmpfs, TMPDIR: SENTINEL
#   /tmp/in         tmpfs, the case's image files: SENTINEL
#   /tmp/out        tmpfs, the output's parent: SENTINEL, and the output (dest)
#
# Asserted for each run, exactly:
#   - exit 0 or 2 as the case expects; on 2, stderr is one "pith: error:" line; never a
#     signal or a sanitizer report; no raw control byte on stderr (nor on stdout where the
#     case checks it: lines=N, noctl, json, jsonlen=N, empty)
#   - wall time under TIME_LIMIT, peak RSS under RSS_LIMIT_KB
#   - no ENOSPC (a spool or an unpacked file filled a tmpfs; allowed only where the image
#     really holds that much) and no EROFS (a write aimed outside the tmpfs mounts)
#   - everything under /tmp but the dest is the same afterwards, byte for byte and time for
#     time (sentinels, the input, TMPDIR holding only its sentinel, the output's parent), and
#     the tmpfs usage of /tmp, TMPDIR and the input is unchanged
#   - a failed run leaves the dest as it was (no half image; a FIFO stays a FIFO)
# One line per failure names class, case, verb and what failed; a summary ends the run.
#
# Env: PITH (the binary), PITH_HOSTILE_JOBS (runs at once, default 2), PITH_HOSTILE_ONLY (a
# regex on case names, to rerun a few), PITH_HOSTILE_SUBSET=1 (fewer verbs per case; the
# default for an ASan build, see select_runs), PITH_HOSTILE_TIME_LIMIT (seconds per run),
# PITH_HOSTILE_KEEP=1 (keep the cases and each run's stdout, stderr and listings in
# /var/tmp/pith-hostile.*).
set -uo pipefail
# System tools only (a pyenv shim in PATH costs half a second per python3 start).
PATH=/usr/sbin:/usr/bin:/sbin:/bin

# The limits. 20 s: a 2 GiB bomb takes ~3 s on an idle core, several times that on a CI
# machine busy with other tests; a hang is anything longer.
TIME_LIMIT=${PITH_HOSTILE_TIME_LIMIT:-20}  # s of wall time per run
RSS_LIMIT_KB=$((1024 * 1024))    # 1 GiB peak resident memory per run
# A hard address-space cap, so that a balloon cannot take the machine down ("-": none).
AS_CAP_KB=${PITH_HOSTILE_AS_CAP_KB:-$((8 * 1024 * 1024))}
TMPFS_SIZE=64m                   # /tmp, TMPDIR, input and output each
SENTINEL_TIME=946684800          # mtime of every sentinel (2000-01-01)

# The script's path, found once by the outer run and inherited: each of ~2,000 runs would pay
# four process starts (~20 ms here) to find it again.
if [ -z "${HOSTILE_SELF:-}" ]; then
  HOSTILE_SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
  export HOSTILE_SELF
fi
self=$HOSTILE_SELF
here=${self%/*}

# --- inside a run's namespace --------------------------------------------------------------

# The tmpfs mounts, the sentinels, and the case's files.
make_box() {
  local cdir=$1 d
  mount -t tmpfs -o "size=$TMPFS_SIZE,mode=1777" hostile-box /tmp
  mkdir -p /tmp/t /tmp/in /tmp/out /tmp/sentinel/sub /tmp/cwd /tmp/home
  for d in t in out; do mount -t tmpfs -o "size=$TMPFS_SIZE,mode=1777" "hostile-$d" "/tmp/$d"; done
  echo "parent of TMPDIR" >/tmp/SENTINEL
  echo "TMPDIR" >/tmp/t/SENTINEL
  echo "parent of the input" >/tmp/in/SENTINEL
  echo "parent of the output" >/tmp/out/SENTINEL
  echo victim >/tmp/sentinel/victim
  echo secret >/tmp/sentinel/secret
  echo keep >/tmp/sentinel/sub/keep
  touch -d "@$SENTINEL_TIME" /tmp/SENTINEL /tmp/{t,in,out}/SENTINEL \
    /tmp/sentinel/{victim,secret,sub/keep}
  cp -a "$cdir/in/." /tmp/in/
  if [ -d "$cdir/out" ]; then cp -a "$cdir/out/." /tmp/out/; fi
}

# A listing of ROOT (but the subtrees SKIP and SKIP2) that changes when anything in it is
# created, removed, written, chmod-ed, linked or retimed; contents by sha256 (not of files
# bigger than a tmpfs: sparse inputs, whose size is listed). Directory times are left out:
# creating and removing a temporary entry may retouch them.
snapshot() {
  local root=$1 skip=${2:--} skip2=${3:--}
  find "$root" \( -path "$skip" -o -path "$skip2" \) -prune -o -type d -printf 'd %m %U:%G %p\n' \
    -o -printf '%y %m %U:%G %s %n %T@ %C@ %p -> %l\n' \
    -o -type f -size -65537k -exec sha256sum {} + | LC_ALL=C sort
}

# The dest alone, or "absent"; a device also by its numbers; a symlink also what it points
# to in the box (a destination written through its link).
snapshot_dest() {
  local dest=$1
  if [ "$dest" == - ]; then return; fi
  if [ ! -e "$dest" ] && [ ! -L "$dest" ]; then echo absent; return; fi
  snapshot "$dest"
  if [ -c "$dest" ] || [ -b "$dest" ]; then stat -c 'device %t:%T' "$dest"; fi
  if [ -L "$dest" ] && [ -n "$through" ]; then snapshot "$through"; fi
}

# Runs pith once, with TMPDIR, cwd and HOME in the box, stdin empty, stdout a pipe (as in
# a terminal or a CI log, /proc/self/fd/1 is no regular file); its stdout, stderr and
# "%M %e" (peak RSS in KiB, wall seconds) go to the run's folder R.
run_pith() {
  local limit=$TIME_LIMIT signal=TERM
  if [ "$kill_after" != - ]; then limit=$kill_after signal=KILL; fi
  (
    cd /tmp/cwd || exit 99
    ulimit -c 0
    if [ "$AS_CAP_KB" != - ]; then ulimit -v "$AS_CAP_KB"; fi
    if [ "$nofile" != - ]; then ulimit -n "$nofile"; fi
    env -i PATH=/usr/bin:/bin HOME=/tmp/home TMPDIR=/tmp/t LC_ALL=C.UTF-8 \
      ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} \
      /usr/bin/time -f '%M %e' -o "$R/time" \
      timeout -s "$signal" -k 2 "$limit" "$PITH" "$@" </dev/null 2>"$R/stderr" | cat >"$R/stdout"
    exit "${PIPESTATUS[0]}"
  )
}

report() { echo "FAIL [$cls] $case $verb: $*"; }

# FILE's text up to its first NUL, in a variable, without starting a process.
slurp() { IFS= read -r -d '' "$1" <"$2"; }

newlines() { local n=${1//[^$'\n']/}; echo "${#n}"; }

# Bytes below 0x20 (but newline) and DEL in FILE, NULs included.
control_bytes() { LC_ALL=C tr -d '\n\040-\176\200-\377' <"$1" | wc -c; }

# At most 200 bytes of FILE, printable, on one line: for failure messages.
shown() { head -c 200 "$1" | LC_ALL=C tr '\n' '|' | cat -v; }

# Exit code and stderr against the expectation.
check_exit() {
  local rc=$1 secs=$2 err
  slurp err "$R/stderr"
  if [ "$want" == killed ]; then
    if [ "$rc" == 137 ]; then return; fi
    want=either  # it ended before the kill: exit 0, or one clean error
  fi
  if [ "${secs%.*}" -ge "$TIME_LIMIT" ] || [ "$rc" == 124 ]; then
    report "hang: stopped after ${TIME_LIMIT} s (exit $rc)"
    return
  fi
  if [ "$rc" -ge 128 ]; then
    report "crash: signal $((rc - 128)) ($(kill -l $((rc - 128)))): $(shown "$R/stderr")"
    return
  fi
  case "$want:$rc" in
    ok:0 | either:0 | error:2 | either:2) ;;
    *) report "exit $rc, expected $want: $(shown "$R/stderr")" ;;
  esac
  if [ "$rc" == 2 ]; then
    local lines
    lines=$(newlines "$err")
    if [ "$lines" != 1 ] || [[ "$err" != "pith: error: "*$'\n' ]]; then
      report "stderr is not one 'pith: error:' line ($lines lines): $(shown "$R/stderr")"
    fi
  fi
  if [ -s "$R/stderr" ]; then
    local n
    n=$(control_bytes "$R/stderr")
    if [ "$n" != 0 ]; then report "stderr holds $n raw control bytes: $(shown "$R/stderr")"; fi
  fi
  if [[ "$err" == *Sanitizer* || "$err" == *"runtime error:"* ]]; then
    report "sanitizer report: $(shown "$R/stderr")"
  fi
  if [[ "$err" == *"No space left on device"* && ",$chk," != *,enospc-ok,* ]]; then
    report "disk blow-up: a ${TMPFS_SIZE} tmpfs filled up: $(shown "$R/stderr")"
  fi
  if [[ "$err" == *"Read-only file system"* ]]; then
    report "write outside the writable mounts (EROFS): $(shown "$R/stderr")"
  fi
}

check_memory() {
  if [ "$1" -gt "$RSS_LIMIT_KB" ]; then
    report "memory: peak RSS $(($1 / 1024)) MiB over $((RSS_LIMIT_KB / 1024)) MiB"
  fi
}

# The stdout checks the case asks for: lines=N, noctl, json, jsonlen=N, empty.
check_stdout() {
  local c n got out
  IFS=, read -ra c <<<"$chk"
  for n in "${c[@]}"; do
    case "$n" in
      - | enospc-ok | stale | gone=* | fresh=*) ;;
      lines=*)
        slurp out "$R/stdout"
        got=$(newlines "$out")
        [ "$got" == "${n#lines=}" ] ||
          report "stdout has $got lines, expected ${n#lines=}: $(shown "$R/stdout")" ;;
      noctl)
        got=$(control_bytes "$R/stdout")
        [ "$got" == 0 ] || report "stdout holds $got raw control bytes: $(shown "$R/stdout")" ;;
      json | jsonlen=*)
        # Strict: UTF-8 and JSON, as any consumer will parse it.
        got=$(python3 -c 'import json, sys
v = json.loads(sys.stdin.buffer.read().decode("utf-8"))
print(len(v) if isinstance(v, list) else "object")' <"$R/stdout" 2>&1 | tail -n1)
        if [ "$n" == json ]; then
          [[ "$got" != *Error* ]] || report "stdout is not JSON: $got"
        else
          [ "$got" == "${n#jsonlen=}" ] ||
            report "stdout JSON: expected an array of ${n#jsonlen=}, got $got"
        fi ;;
      empty)
        [ ! -s "$R/stdout" ] || report "stdout is not empty: $(shown "$R/stdout")" ;;
      *) report "unknown check $n" ;;
    esac
  done
}

# Before/after listings must match; names the first differences.
check_same() {
  local what=$1 a b
  slurp a "$2"
  slurp b "$3"
  if [ "$a" != "$b" ]; then
    report "$what: $(diff "$2" "$3" | grep '^[<>]' | head -n 4 | LC_ALL=C tr '\n' '|' |
      cut -c1-400 | cat -v)"
  fi
}

# A check's value (check_value gone): "gone=P" in the run's checks gives P.
check_value() {
  local c
  IFS=, read -ra c <<<"$chk"
  for c in "${c[@]}"; do [[ "$c" == "$1="* ]] && echo "${c#*=}"; done
}

# Stale temporaries (checks "stale", "gone=P", "fresh=P"): .pith-tmp-* entries are left out
# of the listings; P of gone= must be removed, P of fresh= (touched just before the run, as
# if another run were writing it) must stay as it was.
check_stale() {
  local gone fresh
  gone=$(check_value gone)
  fresh=$(check_value fresh)
  if [ -n "$gone" ] && { [ -e "$gone" ] || [ -L "$gone" ]; }; then
    report "stale temporary kept: $gone"
  fi
  if [ -n "$fresh" ]; then
    check_same "a fresh temporary changed" "$R/fresh-before" "$R/fresh-after"
  fi
}

# Listings of everything the run may not change, before (SUFFIX before) or after it.
take_snapshots() {
  snapshot /tmp "$dest" "${through:--}" >"$R/$1"
  snapshot_dest "$dest" >"$R/dest-$1"
  snapshot_dest "${fresh:--}" >"$R/fresh-$1"
  stat -f -c '%n %b %f' /tmp /tmp/t /tmp/in >"$R/usage-$1"
}

# run_pith, again while the binary cannot be started (126, 127: being rebuilt, as happens
# while someone fixes it), as a person would retry.
run_pith_retried() {
  local tries=0 rc
  run_pith "$@"
  rc=$?
  while { [ "$rc" == 126 ] || [ "$rc" == 127 ]; } && [ $((tries += 1)) -le 6 ]; do
    sleep 10
    run_pith "$@"
    rc=$?
  done
  return "$rc"
}

# The listings against each other: nothing outside the output changed; on failure (or where
# failure is expected) not the dest either; a dest symlink stays one.
check_untouched() {
  local rc=$1
  if [ "$want" == killed ] && [ "$rc" == 137 ]; then
    # SIGKILL cannot clean up: hidden temporary files beside the dest may stay (and take
    # space); a half image at the dest may not.
    grep -vF -- "${dest%/*}/.pith-tmp-" "$R/after" >"$R/after-kept"
    check_same "touched outside the output" "$R/before" "$R/after-kept"
    check_same "killed: half image left at the dest" "$R/dest-before" "$R/dest-after"
    return
  fi
  if [[ ",$chk," == *,stale,* ]]; then
    grep -vF -- "/.pith-tmp-" "$R/before" >"$R/before-kept"
    grep -vF -- "/.pith-tmp-" "$R/after" >"$R/after-kept"
    check_same "touched outside the output" "$R/before-kept" "$R/after-kept"
    check_stale
  else
    check_same "touched outside the output" "$R/before" "$R/after"
    check_same "tmpfs usage changed (a file left or removed)" "$R/usage-before" "$R/usage-after"
  fi
  if [ "$rc" != 0 ] || [ "$want" == error ]; then
    check_same "the dest changed" "$R/dest-before" "$R/dest-after"
  elif [ -n "$through" ]; then
    head -n1 "$R/dest-before" >"$R/link-before"
    head -n1 "$R/dest-after" >"$R/link-after"
    check_same "the dest symlink was replaced" "$R/link-before" "$R/link-after"
  fi
}

# One run (a line of cases.tsv), in a fresh mount namespace.
inside() {
  local id args rc t rss secs
  IFS=$'\t' read -r id case cls verb want dest nofile kill_after chk _ <<<"$1"
  R=$WORK/runs/$id
  [ -d "$R" ] || mkdir -p "$R"  # main makes them all at once
  make_box "$GEN/cases/$case"
  readarray -d '' args <"$GEN/argv/$id"
  fresh=$(check_value fresh)
  if [ -n "$fresh" ]; then touch "$fresh"; fi
  # A dest that is a symlink to a file in the box: that file is part of the output.
  through=
  if [ -L "$dest" ] && [ -e "$dest" ] && [[ "$(readlink -f "$dest")" == /tmp/* ]]; then
    through=$(readlink -f "$dest")
  fi

  take_snapshots before
  run_pith_retried "${args[@]}"
  rc=$?
  take_snapshots after

  slurp t "$R/time"  # "%M %e" on the last line (after a "Command exited..." line)
  t=${t%$'\n'}
  read -r rss secs <<<"${t##*$'\n'}"
  check_exit "$rc" "$secs"
  check_memory "$rss"
  check_stdout
  check_untouched "$rc"
  echo "$id $rc $rss $secs" >"$R/measured"
}

# --- the read-only namespace all runs share -------------------------------------------------

# Every writable mount becomes read-only for this namespace and the run namespaces made in
# it, except WORK (cases and results): a write that escapes the tmpfs mounts fails (EROFS)
# instead of landing on the host. Done once: each remount costs a few milliseconds.
remount_readonly() {
  local mnt opts
  mount --bind "$WORK" "$WORK"
  while read -r _ _ _ _ mnt opts _; do
    [ "$mnt" == "$WORK" ] && continue
    case ",$opts," in *,rw,*) mount -o remount,bind,ro "$mnt" 2>/dev/null ;; esac
  done < <(cat /proc/self/mountinfo)
}

# Runs every cases.tsv line on stdin, PITH_HOSTILE_JOBS at a time, each in its own namespace.
sandbox() {
  remount_readonly
  if touch /var/tmp/.pith-hostile-probe 2>/dev/null; then
    rm -f /var/tmp/.pith-hostile-probe
    echo "FAIL [harness] the host filesystem is still writable in the sandbox"
    return
  fi
  xargs -d '\n' -n 1 -P "${PITH_HOSTILE_JOBS:-2}" \
    unshare -m --propagation private bash "$self" --inside
}

# --- outside ------------------------------------------------------------------------------

# The harness checked against itself: fake pith programs, each misbehaving one way, on the
# control case's ls run (expected: ok); each must draw the failure named beside it. A
# harness that lost a check would pass every case, so this is what makes the tier fail-able.
selftest() {
  local line mode want report
  line=$(awk -F'\t' '$2 == "control-oci" && $4 == "ls"' "$GEN/cases.tsv")
  while IFS='|' read -r mode want body; do
    printf '#!/bin/bash\n%s\n' "$body" >"$WORK/fake-$mode"
    chmod +x "$WORK/fake-$mode"
    cp "$GEN/argv/${line%%$'\t'*}" "$GEN/argv/selftest-$mode"
    report=$(echo "selftest-$mode"$'\t'"${line#*$'\t'}" |
      PITH=$WORK/fake-$mode PITH_HOSTILE_TIME_LIMIT=8 PITH_HOSTILE_JOBS=1 \
        unshare -m --propagation private bash "$self" --sandbox)
    if [ "$mode" == clean ]; then
      [ -z "$report" ] || echo "FAIL [harness] selftest $mode: a clean run drew: $report"
    elif [[ "$report" != *"$want"* ]]; then
      echo "FAIL [harness] selftest $mode: no '$want' in: ${report:-nothing}"
    fi
  done <<'FAKES'
clean||exit 0
exit|exit 2, expected ok|echo "pith: error: x" >&2; exit 2
lines|not one 'pith: error:' line|printf 'pith: error: a\nb\n' >&2; exit 2
control|raw control bytes|printf 'pith: error: \033[2J\n' >&2; exit 2
crash|crash: signal 11|kill -SEGV $$
hang|hang: stopped|exec sleep 100
memory|memory: peak RSS|exec python3 -c 'b = b"x" * (1100 << 20)'
sentinel|touched outside the output|rm /tmp/t/SENTINEL
litter|touched outside the output|echo x >/tmp/in/litter
erofs|write outside the writable mounts|touch /etc/pith-hostile-selftest; exit 2
enospc|disk blow-up|head -c 100M /dev/zero >/tmp/t/big; rm -f /tmp/t/big; exit 2
FAKES
  rm -rf "$WORK"/runs/selftest-* "$GEN"/argv/selftest-*
}

# Verbs pith has that this tier does not run: a new image-reading verb (lint, slim, sbom, ...)
# fails here until make_cases.py runs it.
check_verbs() {
  local known verb
  # login, logout, attach and referrers read no image file: what a registry answers them is
  # fuzzed (registry_*_fuzz) and met by the registry tests' fault proxy. fleet reads registries
  # only (docker://): its layer pass is the one inspect, lint and sbom run on every case here
  # (fleet/layer_analysis.cc: their capture policies and consumers), its stored records and
  # HTTP requests are fuzzed (fleet_layer_record_fuzz, fleet_http_request_fuzz), and its
  # tampered-blob case is in tests/integration/fleet.test.sh.
  known=" login logout attach referrers fleet $(awk -F'\t' 'NR > 1 { sub(/-.*/, "", $4); print $4 }' "$GEN/cases.tsv" |
    sort -u | tr '\n' ' ') "
  for verb in $("$PITH" --help | awk '/^Subcommands:/ { on = 1; next } on && NF { print $1 }'); do
    if [[ "$known" != *" $verb "* ]]; then
      echo "FAIL [verbs] pith $verb: not run by the hostile tier (add it to make_cases.py)"
    fi
  done
}

# The runs of cases.tsv to make: those of the cases PITH_HOSTILE_ONLY matches; with
# PITH_HOSTILE_SUBSET=1 (an ASan build, where a run costs ~10x), one verb per case of each
# group of verbs that share their reading code, taken in turn across each class's cases, so
# every class still meets every verb: inspect's pass (ls, inspect, compare, lint, sbom,
# report), and unpacking into a root (build, slim); copy and the extra runs stay.
select_runs() {
  awk -F'\t' -v only="${PITH_HOSTILE_ONLY:-.}" -v subset="${PITH_HOSTILE_SUBSET:-0}" '
    function group(v) {
      sub(/-.*/, "", v)
      if (v ~ /^(ls|inspect|compare|lint|sbom|report)$/) return "pass"
      if (v ~ /^(build|slim)$/) return "unpack"
      return ""
    }
    FNR == 1 || $2 !~ only { next }
    NR == FNR { g = group($4); if (g != "") runs[$2, g]++; next }
    subset == 1 && (g = group($4)) != "" {
      if (!(($2, g) in turn)) turn[$2, g] = class_cases[$3, g]++ % runs[$2, g]
      if (seen[$2, g]++ != turn[$2, g]) next
    }
    { print }' "$1" "$1"
}

main() {
  : "${PITH:?PITH must name the pith binary}"
  if [ "$(id -u)" != 0 ]; then echo "hostile: needs root (mount namespaces, tmpfs)"; exit 1; fi
  WORK=$(mktemp -d /var/tmp/pith-hostile.XXXXXX)  # not /tmp: each run hides /tmp
  if [ "${PITH_HOSTILE_KEEP:-0}" == 1 ]; then
    echo "hostile: keeping $WORK"
  else
    trap 'rm -rf "$WORK"' EXIT
  fi
  GEN=$WORK/gen
  # AddressSanitizer reserves terabytes of address space: no cap for such a build.
  # (No `ldd | grep -q`: grep's early exit fails ldd with SIGPIPE, and pipefail the test.)
  if [[ "$(ldd "$PITH" 2>/dev/null)" == *libasan* ]]; then
    export PITH_HOSTILE_AS_CAP_KB=- PITH_HOSTILE_SUBSET=${PITH_HOSTILE_SUBSET:-1}
  fi
  export PITH WORK GEN
  local t0=$SECONDS
  python3 "$here/make_cases.py" "$GEN" --box /tmp || exit 1
  echo "hostile: cases written in $((SECONDS - t0)) s; limits: ${TIME_LIMIT} s," \
    "$((RSS_LIMIT_KB / 1024)) MiB RSS, ${TMPFS_SIZE} tmpfs"

  local runs expected failed_runs failures
  select_runs "$GEN/cases.tsv" >"$WORK/runs.tsv"
  expected=$(wc -l <"$WORK/runs.tsv")
  cut -f1 "$WORK/runs.tsv" | sed "s|^|$WORK/runs/|" | xargs -d '\n' mkdir -p
  {
    selftest
    check_verbs
    unshare -m --propagation private bash "$self" --sandbox <"$WORK/runs.tsv"
  } | tee "$WORK/failures"

  # A run that did not get to its end (no namespace, no tmpfs) has checked nothing.
  runs=$(cat "$WORK"/runs/*/measured 2>/dev/null | wc -l)
  if [ "$runs" != "$expected" ]; then
    echo "FAIL [harness] $((expected - runs)) of $expected runs did not finish" |
      tee -a "$WORK/failures"
  fi
  failures=$(grep -c '^FAIL' "$WORK/failures")
  failed_runs=$(grep '^FAIL' "$WORK/failures" | cut -d: -f1 | sort -u | grep -c .)
  echo "hostile: $runs runs in $((SECONDS - t0)) s, $failed_runs failed ($failures failures)"
  [ "$failures" == 0 ]
}

case "${1:-}" in
  --inside) inside "$2" ;;
  --sandbox) sandbox ;;
  *) main ;;
esac
