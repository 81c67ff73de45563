# Shared helpers of pith's integration tests (sourced by tests/integration/*.test.sh).
#
# Gives every test: a private temp dir removed on exit ($TEST_TMP), pass/fail bookkeeping
# (check, pass, fail, finish), cached podman-made fixture images (fixture_images), podman with
# its own storage (ipodman), daemons stopped by their PID however the script ends
# (start_daemon; start_dockerd and idocker, start_podman_service, start_containerd and ictr,
# start_registry), an independent OCI layout validator (validate_oci_layout) and a
# docker-archive unpacked without pith, whiteouts applied (apply_layer, docker_archive_layers,
# squashed_root).
#
# Environment (set by ctest; defaults let a script run by hand from the repo):
#   PITH         the pith binary          (default: $PITH_SRC/build/src/pith)
#   PITH_CORPUS  shared/corpus            (default: $PITH_SRC/../shared/corpus)
#   PITH_SRC     the repository root      (default: two levels above this file)
#   XDG_CACHE_HOME  fixtures are cached under ${XDG_CACHE_HOME:-$HOME/.cache}/pith/fixtures
#   PITH_TEST_TIMEOUT  ctest's TIMEOUT of the script: the script stops itself a minute before
#   PITH_TEST_RUN      marks every process of the suite's run (tests/integration/leftovers.py)

INTEGRATION_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${PITH_SRC:=$(cd "$INTEGRATION_DIR/../.." && pwd)}"
: "${PITH:=$PITH_SRC/build/src/pith}"
: "${PITH_CORPUS:=$(cd "$PITH_SRC/.." && pwd)/shared/corpus}"
export PITH PITH_SRC PITH_CORPUS

PYTHON=/usr/bin/python3                # Debian's, with python3-jsonschema
DOCKER_CLI=/usr/bin/docker             # the client that matches Debian's dockerd
[ -x "$DOCKER_CLI" ] || DOCKER_CLI=$(command -v docker)
FIXTURE_CACHE="${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pith/fixtures"
export LC_ALL=C.UTF-8

# ---------------------------------------------------------------------------------------
# Temp dir and cleanup: short path (unix sockets live in it), removed on exit.
TEST_TMP=$(mktemp -d /tmp/pith-it.XXXXXX)
CLEANUP_STEPS=()
# Every process the script starts carries these in its environment: PITH_TEST_TMP names this
# script's run (checked when it ends), PITH_TEST_RUN the whole suite's (ctest sets it to the
# build directory; tests/integration/leftovers.py checks it after the last test).
export PITH_TEST_TMP=$TEST_TMP
: "${PITH_TEST_RUN:=$TEST_TMP}"
export PITH_TEST_RUN

on_exit_run() { CLEANUP_STEPS+=("$*"); }

run_cleanup_steps() {
  local rc=$? i
  set +e
  stop_deadline
  for ((i = ${#CLEANUP_STEPS[@]} - 1; i >= 0; i--)); do
    eval "${CLEANUP_STEPS[$i]}" >/dev/null 2>&1
  done
  # Whatever the script started and is still running is a bug of the test: named, stopped, and
  # the script fails.
  "$PYTHON" "$INTEGRATION_DIR/leftovers.py" "PITH_TEST_TMP=$TEST_TMP" || rc=1
  # Anything still mounted under the temp dir (an interrupted podman run) must go first.
  grep -o " $TEST_TMP[^ ]*" /proc/mounts 2>/dev/null | sort -r | xargs -r -n1 umount -l 2>/dev/null
  rm -rf "$TEST_TMP"
  exit "$rc"
}
trap run_cleanup_steps EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The script's own deadline, a minute before ctest's TIMEOUT (PITH_TEST_TIMEOUT, set by ctest):
# ctest kills a late test with SIGKILL, which runs no trap, so daemons and mounts would stay.
# At the deadline every process of the script's own session (the command it waits for) gets
# TERM, then the script itself: its EXIT trap stops the daemons (sessions of their own) by PID.
DEADLINE_PID=
start_deadline() {
  local seconds=$1 script=$$
  (
    trap - EXIT INT TERM
    me=$BASHPID
    sleep "$seconds" &
    wait $!
    echo "$(basename "$0"): deadline of ${seconds}s passed; stopping the test" >&2
    for pid in $(ps -e -o pid=,ppid=,sid= | "$PYTHON" -c "$SESSION_DESCENDANTS" "$script" "$me"); do
      kill -TERM "$pid" 2>/dev/null
    done
    kill -TERM "$script"
  ) &
  DEADLINE_PID=$!
}
# Reads `ps -o pid=,ppid=,sid=`; prints the descendants of argv[1] in its session, leaving out
# argv[2] and its own descendants.
SESSION_DESCENDANTS='
import sys
top, me = int(sys.argv[1]), int(sys.argv[2])
rows = [tuple(map(int, l.split())) for l in sys.stdin if l.strip()]
sid = {p: s for p, _, s in rows}.get(top)
def below(root):
    found, grew = {root}, True
    while grew:
        grew = False
        for pid, ppid, _ in rows:
            if ppid in found and pid not in found:
                found.add(pid); grew = True
    return found
for pid in sorted(below(top) - below(me) - {top}):
    if sid is not None and {p: s for p, _, s in rows}[pid] == sid:
        print(pid)'
stop_deadline() {
  [ -n "$DEADLINE_PID" ] || return 0
  pkill -TERM -P "$DEADLINE_PID" 2>/dev/null   # its sleep
  kill "$DEADLINE_PID" 2>/dev/null
  wait "$DEADLINE_PID" 2>/dev/null
  DEADLINE_PID=
}
if [ -n "${PITH_TEST_TIMEOUT:-}" ] && [ "$PITH_TEST_TIMEOUT" -gt 120 ]; then
  start_deadline $((PITH_TEST_TIMEOUT - 60))
fi

# ---------------------------------------------------------------------------------------
# Daemons: every process a test leaves running in the background (registries, token and HTTP
# servers, dockerd, containerd, podman's API service) is started by start_daemon, in a session
# of its own (setsid: its PID is also its process group's, which holds what it forks), and
# stopped by that PID when the script ends, however it ends (the EXIT trap; TERM or INT; the
# deadline above).

# start_daemon NAME COMMAND...: COMMAND (a program, not a shell function: a function would run
# in a subshell whose PID is not the daemon's) in the background, output in $TEST_TMP/NAME.log;
# sets DAEMON_PID; stopped on exit.
start_daemon() {
  local name=$1
  shift
  # Without job control a background job is no process group leader, so setsid(1) does not
  # fork: $! is the daemon itself. Checked, as the rest relies on it.
  setsid "$@" >"$TEST_TMP/$name.log" 2>&1 </dev/null &
  DAEMON_PID=$!
  on_exit_run "stop_daemon $DAEMON_PID"
  if [ "$(ps -o sid= -p "$DAEMON_PID" 2>/dev/null | tr -d ' ')" != "$DAEMON_PID" ] &&
    kill -0 "$DAEMON_PID" 2>/dev/null; then
    echo "start_daemon $name: pid $DAEMON_PID is not its own session" >&2
    return 1
  fi
}

# stop_daemon PID: TERM to the daemon's process group, KILL after 20 s, then reaped.
stop_daemon() {
  local pid=$1 i
  kill -TERM -- "-$pid" 2>/dev/null
  for ((i = 0; i < 100; i++)); do
    kill -0 -- "-$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL -- "-$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

# ---------------------------------------------------------------------------------------
# Bookkeeping: each check prints one line; finish prints the tally and sets the exit code.
PASSED=0
FAILED=0
SKIPPED=0
FAILED_NAMES=()

pass() { PASSED=$((PASSED + 1)); echo "ok   $1"; }

# skip NAME REASON: a check that cannot be made here (a tool's limit), said out loud.
skip() { SKIPPED=$((SKIPPED + 1)); echo "skip $1 ($2)"; }

# fail NAME [DETAILS...]: details (what differed) are indented under the name.
fail() {
  local name=$1
  shift
  FAILED=$((FAILED + 1))
  FAILED_NAMES+=("$name")
  echo "FAIL $name"
  if [ $# -gt 0 ]; then printf '%s\n' "$@" | sed 's/^/     /'; fi
}

# check NAME COMMAND...: runs COMMAND; passes when it exits 0, else fails showing its output.
check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then
    pass "$name"
  else
    fail "$name" "command: $*" "$(printf '%s\n' "$out" | tail -n 25)"
  fi
}

# check_equal NAME EXPECTED ACTUAL
check_equal() {
  if [ "$2" == "$3" ]; then
    pass "$1"
  else
    fail "$1" "expected: $2" "got:      $3"
  fi
}

# check_same_files NAME EXPECTED_FILE ACTUAL_FILE: shows a unified diff on failure.
check_same_files() {
  local d
  if d=$(diff -u --label expected --label actual "$2" "$3"); then
    pass "$1"
  else
    fail "$1" "$(printf '%s\n' "$d" | head -n 40)" \
      "($(printf '%s\n' "$d" | grep -c '^[-+][^-+]') differing lines)"
  fi
}

finish() {
  local suite=$1
  echo "$suite: $PASSED passed, $FAILED failed$([ "$SKIPPED" -eq 0 ] || echo ", $SKIPPED skipped")"
  if [ "$FAILED" -gt 0 ]; then
    printf '  failed: %s\n' "${FAILED_NAMES[@]}"
    exit 1
  fi
  exit 0
}

# require_pith: the tests need a working binary; say clearly when there is none.
require_pith() {
  if [ ! -x "$PITH" ]; then
    echo "pith binary not found at $PITH (build it: ninja -C build pith)" >&2
    exit 1
  fi
}

# pith_run ARGS...: runs pith; its stderr goes to $TEST_TMP/pith.stderr for failure reports.
# expect_error NAME EXPECTED_SUBSTRING PITH_ARGS...: exit 2 and one "pith: error:" line.
expect_error() {
  local name=$1 want=$2 rc=0 err
  shift 2
  "$PITH" "$@" >/dev/null 2>"$TEST_TMP/err" || rc=$?
  err=$(cat "$TEST_TMP/err")
  if [ "$rc" -eq 2 ] && [ "$(wc -l <"$TEST_TMP/err")" -eq 1 ] && [[ $err == "pith: error: "*"$want"* ]]; then
    pass "$name"
  else
    fail "$name" "exit $rc (want 2), stderr (want one line containing \"$want\"):" "$err"
  fi
}

pith_run() { "$PITH" "$@" 2>"$TEST_TMP/pith.stderr"; }
pith_stderr() { tail -n 5 "$TEST_TMP/pith.stderr" 2>/dev/null; }

# ---------------------------------------------------------------------------------------
# podman with its own storage under $TEST_TMP (overlay: loads are 3x faster than with vfs;
# nothing stays mounted once containers are removed, so rm -rf cleans it up). Never the remote
# client: CONTAINER_HOST, which pith's containers-storage: reads, is left out.
IPODMAN_DIR="$TEST_TMP/podman"
IPODMAN_DRIVER=overlay
ipodman() {
  env -u CONTAINER_HOST podman --root "$IPODMAN_DIR/root" --runroot "$IPODMAN_DIR/run" --tmpdir "$IPODMAN_DIR/tmp" \
    --storage-driver "$IPODMAN_DRIVER" "$@"
}
remove_ipodman_storage() {
  [ -d "$IPODMAN_DIR" ] || return 0
  ipodman rm -af >/dev/null 2>&1
  ipodman rmi -af >/dev/null 2>&1
  rm -rf "$IPODMAN_DIR"
}
on_exit_run remove_ipodman_storage

# ---------------------------------------------------------------------------------------
# A private Docker engine (vfs, no networking), stopped by its PID on exit.
DOCKERD_DIR="$TEST_TMP/docker"
DOCKERD_PID=

start_dockerd() {
  mkdir -p "$DOCKERD_DIR"
  start_daemon dockerd dockerd --storage-driver vfs --iptables=false --ip-masq=false --bridge=none \
    --data-root "$DOCKERD_DIR/data" --exec-root "$DOCKERD_DIR/exec" \
    --pidfile "$DOCKERD_DIR/dockerd.pid" -H "unix://$DOCKERD_DIR/docker.sock"
  DOCKERD_PID=$DAEMON_PID
  local i
  for ((i = 0; i < 120; i++)); do
    if idocker info >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$DOCKERD_PID" 2>/dev/null; then break; fi
    sleep 0.5
  done
  echo "dockerd did not start; its log:" >&2
  tail -n 20 "$TEST_TMP/dockerd.log" >&2
  return 1
}

idocker() { DOCKER_HOST="unix://$DOCKERD_DIR/docker.sock" "$DOCKER_CLI" "$@"; }

# ---------------------------------------------------------------------------------------
# podman's API service on $PODMAN_SOCK over ipodman's storage (what containers-storage: talks
# to), stopped by its PID on exit. With CONTAINER_HOST set the podman CLI turns into a remote
# client, hence env -u for the service (and for ipodman in scripts that export it).
PODMAN_SOCK="$TEST_TMP/podman.sock"

start_podman_service() {
  mkdir -p "$IPODMAN_DIR"
  start_daemon podman-service env -u CONTAINER_HOST podman --root "$IPODMAN_DIR/root" \
    --runroot "$IPODMAN_DIR/run" --tmpdir "$IPODMAN_DIR/tmp" --storage-driver "$IPODMAN_DRIVER" \
    system service --time=0 "unix://$PODMAN_SOCK"
  local i
  for ((i = 0; i < 60; i++)); do
    if [ -S "$PODMAN_SOCK" ]; then return 0; fi
    kill -0 "$DAEMON_PID" 2>/dev/null || break
    sleep 0.5
  done
  echo "podman system service did not start; its log:" >&2
  tail -n 20 "$TEST_TMP/podman-service.log" >&2
  return 1
}

# ---------------------------------------------------------------------------------------
# A private containerd (its own root, state, socket; no CRI), stopped by its PID on exit; ictr
# is ctr talking to it.
CONTAINERD_DIR="$TEST_TMP/containerd"

start_containerd() {
  mkdir -p "$CONTAINERD_DIR"
  printf '%s\n' 'version = 2' 'disabled_plugins = ["io.containerd.grpc.v1.cri"]' \
    >"$CONTAINERD_DIR/config.toml"
  start_daemon containerd containerd --config "$CONTAINERD_DIR/config.toml" \
    --root "$CONTAINERD_DIR/root" --state "$CONTAINERD_DIR/state" \
    --address "$CONTAINERD_DIR/containerd.sock"
  local i
  for ((i = 0; i < 60; i++)); do
    if ictr version >/dev/null 2>&1; then return 0; fi
    kill -0 "$DAEMON_PID" 2>/dev/null || break
    sleep 0.25
  done
  echo "containerd did not start; its log:" >&2
  tail -n 20 "$TEST_TMP/containerd.log" >&2
  return 1
}

ictr() { ctr --address "$CONTAINERD_DIR/containerd.sock" "$@"; }

# ---------------------------------------------------------------------------------------
# validate_oci_layout DIR [validate_oci.py options]: schemas, blob digests and sizes, diff_ids.
validate_oci_layout() {
  "$PYTHON" "$INTEGRATION_DIR/validate_oci.py" --quiet \
    --schema-dir "$PITH_CORPUS/image-spec/schema" "$@"
}

# ---------------------------------------------------------------------------------------
# Fixture images, built by podman without network and cached.
#
# fixture_images sets:
#   FIXTURE_DOCKER_ARCHIVE  podman save --format docker-archive (uncompressed layers)
#   FIXTURE_OCI_ARCHIVE     podman save --format oci-archive    (gzip layers)
#   FIXTURE_OCI_DIR         podman save --format oci-dir        (gzip layers)
#   FIXTURE_NAME            the image's name in those archives
#   FIXTURE_ROOT_CONTENT    path:content pairs a container of the image must print with cat
FIXTURE_NAME=localhost/pith-fixture/multilayer:1
FIXTURE_ROOT_CONTENT=("/data/opaque/new.txt:new" "/data/dir-becomes-file:now-a-file"
  "/data/file with spaces.txt:spaces" "/etc/alpine-release:3.19.4")

alpine_minirootfs() { ls "$PITH_CORPUS"/docker-alpine/v3.19/alpine-minirootfs-*-x86_64.tar.gz; }

# The build context of fixtures/multilayer/Containerfile (call it in a subshell: it changes
# directory and umask).
make_multilayer_context() {
  local ctx=$1 long
  umask 022
  mkdir -p "$ctx/tree" "$ctx/owned"
  cd "$ctx/tree"
  echo "delete me" >delete-me.txt
  mkdir -p gone-dir/sub opaque/old-sub dir-becomes-file empty-dir
  echo f >gone-dir/sub/f.txt
  echo g >gone-dir/g.txt
  echo old >opaque/old.txt
  echo x >opaque/old-sub/x.txt
  echo f >dir-becomes-file/f.txt
  echo "i am a file" >file-becomes-dir
  echo "linked" >hardlink-src.txt
  echo "original" >overwritten.txt
  echo "spaces" >"file with spaces.txt"
  echo "utf-8" >"ünïcödé-файл.txt"
  long=long/$(printf 'a%.0s' {1..40})/$(printf 'b%.0s' {1..40})/$(printf 'c%.0s' {1..40})
  mkdir -p "$long"
  echo "deep" >"$long/deep-file.txt"
  echo "long name" >"long/$(printf 'n%.0s' {1..120}).txt"
  cd "$ctx/owned"
  echo "secret" >secret.txt
  echo "plain" >plain.txt
}

fixture_cache_key() {
  {
    cat "$INTEGRATION_DIR/fixtures/multilayer/Containerfile"
    declare -f make_multilayer_context
    basename "$(alpine_minirootfs)"
    podman --version
  } | sha256sum | cut -c1-16
}

build_multilayer_fixture() {
  local out=$1 work="$TEST_TMP/fixture-build"
  local pm=(podman --root "$work/root" --runroot "$work/run" --tmpdir "$work/tmp"
    --storage-driver overlay)   # overlay: RUN layers get real opaque whiteouts
  mkdir -p "$work/ctx" "$out"
  cp "$INTEGRATION_DIR/fixtures/multilayer/Containerfile" "$work/ctx/"
  (make_multilayer_context "$work/ctx")
  "${pm[@]}" import -q "$(alpine_minirootfs)" localhost/pith-alpine:3.19 >/dev/null
  "${pm[@]}" build --pull=never --network none --cap-add MKNOD -q -t "$FIXTURE_NAME" \
    -f "$work/ctx/Containerfile" "$work/ctx" >/dev/null
  "${pm[@]}" save -q --format docker-archive -o "$out/docker-archive.tar" "$FIXTURE_NAME"
  "${pm[@]}" save -q --format oci-archive -o "$out/oci-archive.tar" "$FIXTURE_NAME"
  "${pm[@]}" save -q --format oci-dir -o "$out/oci-dir" "$FIXTURE_NAME"
  "${pm[@]}" rmi -af >/dev/null 2>&1 || true
  rm -rf "$work"
}

# cached_fixture KIND KEY BUILDER: the fixture KIND-KEY under $FIXTURE_CACHE, made once by
# `BUILDER DIR` (tests running in parallel build it once: a lock); fixtures of older recipes
# (other KEYs) go. Sets CACHED_FIXTURE to its directory.
cached_fixture() {
  local kind=$1 key=$2 builder=$3 dir lock_fd
  dir="$FIXTURE_CACHE/$kind-$key"
  mkdir -p "$FIXTURE_CACHE"
  exec {lock_fd}>"$FIXTURE_CACHE/.lock"
  flock "$lock_fd"
  if [ ! -f "$dir/complete" ]; then
    echo "building the $kind fixture (cache: $dir)" >&2
    rm -rf "$dir.partial"
    "$builder" "$dir.partial"
    touch "$dir.partial/complete"
    find "$FIXTURE_CACHE" -mindepth 1 -maxdepth 1 -name "$kind-*" ! -name "${dir##*/}.partial" \
      -exec rm -rf {} +
    mv "$dir.partial" "$dir"
  fi
  flock -u "$lock_fd"
  exec {lock_fd}>&-
  CACHED_FIXTURE=$dir
}

fixture_images() {
  cached_fixture multilayer "$(fixture_cache_key)" build_multilayer_fixture
  FIXTURE_DOCKER_ARCHIVE="$CACHED_FIXTURE/docker-archive.tar"
  FIXTURE_OCI_ARCHIVE="$CACHED_FIXTURE/oci-archive.tar"
  FIXTURE_OCI_DIR="$CACHED_FIXTURE/oci-dir"
}

# ---------------------------------------------------------------------------------------
# Small independent views of an image, all through skopeo/tar/jq.

# skopeo_diff_ids REF: the config's rootfs.diff_ids, one per line.
skopeo_diff_ids() { skopeo inspect --config "$1" | jq -r '.rootfs.diff_ids[]'; }

# manifest_digest REF: sha256 of the manifest bytes as stored (or a note saying why not).
manifest_digest() {
  if skopeo inspect --raw "$1" >"$TEST_TMP/raw-manifest" 2>"$TEST_TMP/raw-manifest.err"; then
    sha256sum <"$TEST_TMP/raw-manifest" | cut -d' ' -f1
  else
    echo "(skopeo inspect --raw $1 failed: $(sed -n 's/.*msg=//p' "$TEST_TMP/raw-manifest.err" | head -n 1))"
  fi
}

# rootfs_listing DIR: one line per entry (path, type, mode, owner, size of files, link target),
# sorted; what two unpacked root filesystems must agree on.
rootfs_listing() {
  (cd "$1" && find . -mindepth 1 -printf '%p\t%y\t%m\t%U:%G\t%s\t%l\n') |
    awk -F'\t' 'BEGIN{OFS="\t"} $2 != "f" {$5 = "-"} {print}' | LC_ALL=C sort
}

# ---------------------------------------------------------------------------------------
# Unpacking images without pith: layers applied in order with whiteouts, as a runtime does.

# layer_entries LAYER_TAR: "TYPE<TAB>NAME" per entry (TYPE is tar -tv's first letter:
# - d l h c b p), NAME without "./" prefix or trailing "/".
layer_entries() {
  local perms owner size date time rest name
  LC_ALL=C tar -tvf "$1" --quoting-style=literal --numeric-owner |
    while read -r perms owner size date time rest; do
      case ${perms:0:1} in
        l) name=${rest% -> *} ;;
        h) name=${rest% link to *} ;;
        *) name=$rest ;;
      esac
      while [[ $name == ./* ]]; do name=${name#./}; done
      name=${name#/}
      name=${name%/}
      [ -n "$name" ] && [ "$name" != . ] && printf '%s\t%s\n' "${perms:0:1}" "$name"
    done
}

# apply_layer ROOT LAYER_TAR: applies a layer the way a runtime does, in three steps.
#  1. whiteouts: .wh..wh..opq empties its directory of lower-layer content; .wh.NAME removes
#     NAME; both before any of this layer's own files are written;
#  2. a non-directory replacing a directory removes the old directory (GNU tar replaces a
#     non-directory by a directory by itself);
#  3. GNU tar extracts everything except the whiteout markers, keeping owners and modes.
apply_layer() {
  local root=$1 layer=$2 entries="$TEST_TMP/layer-entries" type name dir base
  layer_entries "$layer" >"$entries"
  while IFS=$'\t' read -r type name; do
    base=${name##*/}
    dir=.
    [[ $name == */* ]] && dir=${name%/*}
    case $base in
      .wh..wh..opq) [ -d "$root/$dir" ] && find "$root/$dir" -mindepth 1 -delete ;;
      .wh.*) rm -rf "${root:?}/$dir/${base#.wh.}" ;;
    esac
  done <"$entries"
  while IFS=$'\t' read -r type name; do
    if [ "$type" != d ] && [ -d "$root/$name" ] && [ ! -L "$root/$name" ]; then
      rm -rf "${root:?}/$name"
    fi
  done <"$entries"
  tar -xf "$layer" -C "$root" --numeric-owner --same-owner --same-permissions \
    --exclude='.wh.*'
}

# docker_archive_layers ARCHIVE DIR: unpacks a docker-archive into DIR and prints its layer
# files in manifest.json order.
docker_archive_layers() {
  local archive=$1 dir=$2
  mkdir -p "$dir"
  tar -xf "$archive" -C "$dir"
  jq -r '.[0].Layers[]' "$dir/manifest.json" | sed "s|^|$dir/|"
}

# squashed_root ARCHIVE DIR: a docker-archive unpacked into DIR/archive, its layer files
# listed bottom first in DIR/layers, and its squashed tree unpacked into DIR/root.
squashed_root() {
  local archive=$1 dir=$2 layer layers
  mkdir -p "$dir/root"
  docker_archive_layers "$archive" "$dir/archive" >"$dir/layers"
  mapfile -t layers <"$dir/layers"
  for layer in "${layers[@]}"; do apply_layer "$dir/root" "$layer"; done
}

# ---------------------------------------------------------------------------------------
# A registry of their own for the tests that push and pull (Debian's docker-registry).

free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_port PORT NAME LOG: until something listens on PORT (or give up showing LOG).
wait_port() {
  local i
  for ((i = 0; i < 100; i++)); do
    if "$PYTHON" -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "$2 did not start; its log:" >&2
  tail -n 20 "$3" >&2
  return 1
}

# start_registry NAME PORT [YAML...]: a registry on 127.0.0.1:PORT with its own storage; extra
# YAML lines are appended to its config (auth, tls).
start_registry() {
  local name=$1 port=$2 conf="$TEST_TMP/$1.yml"
  shift 2
  {
    echo "version: 0.1"
    echo "log: {level: info, accesslog: {disabled: false}}"
    echo "storage: {filesystem: {rootdirectory: $TEST_TMP/$name-data}, delete: {enabled: true}}"
    printf '%s\n' "$@"
  } >"$conf"
  if ! grep -q '^http:' "$conf"; then echo "http: {addr: 127.0.0.1:$port}" >>"$conf"; fi
  start_daemon "$name" docker-registry serve "$conf"
  wait_port "$port" "$name" "$TEST_TMP/$name.log"
}

# tty_screen and human_bytes, shared with the CLI tests.
source "$(dirname "${BASH_SOURCE[0]}")/../cli/tty.sh"

# ---------------------------------------------------------------------------------------
# The Debian fixture (inspect, lint): a real Debian 12 image changed by later layers
# (fixtures/debian/Containerfile); built once (mmdebstrap ~70-100 s, podman build), cached by
# recipe hash.
DEBIAN_NAME=localhost/pith-fixture/debian:12
MMDEBSTRAP_ARGS=(--variant=minbase --include=ca-certificates bookworm)

# make_debian_context CTX: the build context of fixtures/debian/Containerfile (call it in a
# subshell: it changes umask).
make_debian_context() {
  local ctx=$1 pkg=$1/../probe-pkg
  umask 022
  mkdir -p "$ctx/app/bin" "$ctx/app/data" "$pkg/DEBIAN" "$pkg/usr/share/pith-probe"
  cp "$INTEGRATION_DIR/fixtures/debian/Containerfile" "$ctx/"
  printf '#!/bin/sh\necho app\n' >"$ctx/app/bin/app"
  chmod 755 "$ctx/app/bin/app"
  echo '{"name": "app"}' >"$ctx/app/config.json"
  seq 1 20000 >"$ctx/app/data/numbers.txt"
  cat >"$pkg/DEBIAN/control" <<'EOF'
Package: pith-probe
Version: 1.2-3
Architecture: all
Maintainer: pith tests <tests@pith.invalid>
Description: probe package of pith's inspect tests
 Installed with dpkg -i by a later layer than the base system.
EOF
  echo probe >"$pkg/usr/share/pith-probe/probe.txt"
  dpkg-deb --root-owner-group --build "$pkg" "$ctx/pith-probe.deb" >/dev/null
  rm -rf "$pkg"
}

build_debian_fixture() {
  local out=$1 work="$TEST_TMP/debian-build"
  local pm=(podman --root "$work/root" --runroot "$work/run" --tmpdir "$work/tmp"
    --storage-driver overlay)   # overlay: RUN layers get real whiteouts
  mkdir -p "$work/ctx" "$out"
  (make_debian_context "$work/ctx")
  mmdebstrap --quiet "${MMDEBSTRAP_ARGS[@]}" "$work/rootfs.tar"
  "${pm[@]}" import -q "$work/rootfs.tar" localhost/pith-debian-base:12 >/dev/null
  rm -f "$work/rootfs.tar"
  "${pm[@]}" build --pull=never --network none -q -t "$DEBIAN_NAME" \
    -f "$work/ctx/Containerfile" "$work/ctx" >/dev/null
  "${pm[@]}" save -q --format docker-archive -o "$out/docker-archive.tar" "$DEBIAN_NAME"
  "${pm[@]}" rmi -af >/dev/null 2>&1 || true
  rm -rf "$work"
}

debian_cache_key() {
  {
    cat "$INTEGRATION_DIR/fixtures/debian/Containerfile"
    declare -f make_debian_context build_debian_fixture
    echo "${MMDEBSTRAP_ARGS[*]}"
    podman --version
  } | sha256sum | cut -c1-16
}

# debian_fixture: sets DEBIAN_ARCHIVE (podman save --format docker-archive).
debian_fixture() {
  cached_fixture debian "$(debian_cache_key)" build_debian_fixture
  DEBIAN_ARCHIVE="$CACHED_FIXTURE/docker-archive.tar"
}

# ---------------------------------------------------------------------------------------
# PostgreSQL 15 of the test's own (Debian's postgresql; fleet): initdb into a private folder,
# the server on a unix socket there (no TCP), run as the `postgres` user (the server refuses
# root). Sets PG_SOCKET_DIR and PG_PORT; fresh_database NAME prints the URL of a new database.
PG_BIN=/usr/lib/postgresql/15/bin
start_postgres() {
  local dir
  dir=$(mktemp -d /tmp/pith-pg.XXXXXX)
  on_exit_run "rm -rf $dir"
  chown postgres "$dir"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$dir/data" -A trust -U pith --no-sync >"$TEST_TMP/initdb.log" 2>&1 ||
    { tail -n 20 "$TEST_TMP/initdb.log" >&2; return 1; }
  PG_SOCKET_DIR=$dir
  PG_PORT=5432
  start_daemon postgres runuser -u postgres -- "$PG_BIN/postgres" -D "$dir/data" -k "$dir" \
    -p "$PG_PORT" -c listen_addresses= -c fsync=off
  local i
  for ((i = 0; i < 100; i++)); do
    "$PG_BIN/pg_isready" -q -h "$dir" -p "$PG_PORT" && return 0
    sleep 0.1
  done
  echo "postgres did not start; its log:" >&2
  tail -n 20 "$TEST_TMP/postgres.log" >&2
  return 1
}
fresh_database() {
  PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -q -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U pith -d postgres \
    -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
  echo "host=$PG_SOCKET_DIR port=$PG_PORT user=pith dbname=$1"
}
