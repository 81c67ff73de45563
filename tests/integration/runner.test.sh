#!/usr/bin/env bash
# Integration test of the RUN executor (src/runner), driven by pith_runner_probe until
# `pith build -f` uses it: the layers of the real Debian fixture (lib.sh's debian_fixture)
# unpacked into a layer store, commands run on them by runc over overlayfs, against podman:
#   - the layer of a RUN that writes, deletes, replaces a directory, hard-links and sets a
#     setuid bit lists the same entries as the layer `podman build` makes of the same RUN
#     (type, mode, uid/gid, size, link target; mtimes excepted);
#   - a failing command: its exit status and last output lines in the one-line error;
#   - --network none has only lo; --user's uid and gid apply;
#   - nothing is left mounted (/proc/self/mountinfo), in runc's state or running, after
#     success, failure, and SIGINT/SIGTERM of the probe in the middle of a run.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PROBE=${PITH_RUNNER_PROBE:-$(dirname "$PITH")/../tests/pith_runner_probe}
RUN_SCRIPT='echo hi >/new; rm /etc/issue; rm -r /usr/share/doc; mkdir -p /usr/share/doc/x; ln /new /new2; chmod u+s /new'
ENV_PATH=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

if [ "$(id -u)" != 0 ] || ! command -v runc >/dev/null; then
  skip runner "needs root and runc"
  finish runner
fi
if [ ! -x "$PROBE" ]; then
  fail "runner probe" "no $PROBE (ninja -C build pith_runner_probe)"
  finish runner
fi

STORE=$TEST_TMP/store
debian_fixture

# ---------------------------------------------------------------------------------------
# The fixture's layers into the store; LAYER_ARGS names them top first.
mkdir -p "$TEST_TMP/image"
tar -xf "$DEBIAN_ARCHIVE" -C "$TEST_TMP/image"
LAYER_ARGS=()
added=0
while read -r layer; do
  diff_id=sha256:$(sha256sum "$TEST_TMP/image/$layer" | cut -d' ' -f1)
  if "$PROBE" add "$STORE" "$diff_id" <"$TEST_TMP/image/$layer" >/dev/null 2>"$TEST_TMP/add.err"; then
    added=$((added + 1))
  else
    fail "layer store: add $layer" "$(cat "$TEST_TMP/add.err")"
  fi
  LAYER_ARGS=(--layer "$diff_id" "${LAYER_ARGS[@]}")
done < <(jq -r '.[0].Layers[]' "$TEST_TMP/image/manifest.json")
check_equal "layer store: every layer of the fixture unpacked" \
  "$(jq '.[0].Layers | length' "$TEST_TMP/image/manifest.json")" "$added"
check_equal "layer store: no temporary left" "" \
  "$(find "$STORE/layers" -mindepth 1 -maxdepth 1 -name '.pith-tmp-*')"

# probe ARGS... -- COMMAND: one run on the fixture.
probe() { "$PROBE" run "$STORE" "${LAYER_ARGS[@]}" --env "$ENV_PATH" "$@"; }

# leftovers: what a run may leave: mounts under the store, runs' directories, runc containers
# and cgroups named pith-*, processes whose root is inside the store. Empty when clean.
leftovers() {
  grep -F "$STORE" /proc/self/mountinfo || true
  find "$STORE/runs" -mindepth 1 -maxdepth 1 2>/dev/null || true
  runc list -q 2>/dev/null | grep '^pith-' || true
  find /sys/fs/cgroup -maxdepth 3 -name 'pith-*' 2>/dev/null || true
  local p
  for p in /proc/[0-9]*; do
    case "$(readlink "$p/root" 2>/dev/null)" in "$STORE"*) echo "process ${p#/proc/}" ;; esac
  done
}

# check_clean NAME: nothing left the moment the probe has ended.
check_clean() { check_equal "$1" "" "$(leftovers)"; }

# podman 4.3's builder (buildah) leaves its own mountpoint stubs in a RUN's layer when the
# image lacks them: an empty /etc/hosts (and hostname, resolv.conf) and /run, where it put
# /run/.containerenv. The issue excepts these stubs from the comparison; pith leaves them out.
PODMAN_STUBS='^(etc/hosts|etc/hostname|etc/resolv\.conf|run/)$'

# names TAR: the layer's names in order, podman's stubs left out.
names() { tar -tf "$1" | grep -Ev "$PODMAN_STUBS" || true; }

# listing TAR: tar -tv of a layer without the dates, sorted, podman's stubs left out.
listing() {
  tar --numeric-owner -tvf "$1" | awk '{ $4 = ""; $5 = ""; print }' |
    STUBS=$PODMAN_STUBS awk '{ name = $0; sub(/^[^ ]+ [^ ]+ [^ ]+   /, "", name) }
      name !~ ENVIRON["STUBS"]' | sort
}

# ---------------------------------------------------------------------------------------
# The RUN's layer against podman's.
if probe --layer-out "$TEST_TMP/ours.tar" -- sh -c "$RUN_SCRIPT" >"$TEST_TMP/run.out" 2>&1; then
  pass "run: the RUN succeeds"
else
  fail "run: the RUN succeeds" "$(tail -n 5 "$TEST_TMP/run.out")"
fi
check_clean "run: nothing left after success"

ipodman load -q -i "$DEBIAN_ARCHIVE" >/dev/null
mkdir -p "$TEST_TMP/ctx"
printf 'FROM %s\nRUN %s\n' "$DEBIAN_NAME" "$RUN_SCRIPT" >"$TEST_TMP/ctx/Containerfile"
ipodman build --pull=never --network host -q -t localhost/pith-runner:1 "$TEST_TMP/ctx" >/dev/null
ipodman save -q --format docker-archive -o "$TEST_TMP/podman.tar" localhost/pith-runner:1
mkdir -p "$TEST_TMP/podman"
tar -xf "$TEST_TMP/podman.tar" -C "$TEST_TMP/podman"
podman_layer=$TEST_TMP/podman/$(jq -r '.[0].Layers[-1]' "$TEST_TMP/podman/manifest.json")
listing "$podman_layer" >"$TEST_TMP/podman.list"
listing "$TEST_TMP/ours.tar" >"$TEST_TMP/ours.list"
check_same_files "run: the layer lists what podman's does" "$TEST_TMP/podman.list" "$TEST_TMP/ours.list"
check_equal "run: the layer's order is podman's" "$(names "$podman_layer")" \
  "$(names "$TEST_TMP/ours.tar")"

# ---------------------------------------------------------------------------------------
# A failing command: one error line with its status and last output (stdout and stderr are
# two pipes: lines of both are kept, in the order they are read, so each case uses one).
rc=0
probe -- sh -c 'for i in 1 2 3 4 5 6 7; do echo line $i; done; exit 3' >"$TEST_TMP/fail.out" \
  2>"$TEST_TMP/fail.err" || rc=$?
check_equal "failure: exit 2" 2 "$rc"
err=$(grep '^pith: error:' "$TEST_TMP/fail.err" || true)
check_equal "failure: one error line" 1 "$(printf '%s\n' "$err" | grep -c .)"
case "$err" in
  *"exited with status 3; last output: line 3; line 4; line 5; line 6; line 7") pass "failure: status and last lines" ;;
  *) fail "failure: status and last lines" "$err" ;;
esac
check_equal "failure: output streamed" "7" "$(grep -c '^line' "$TEST_TMP/fail.out")"
rc=0
err=$(probe -- sh -c 'echo oops >&2; exit 4' 2>&1) || rc=$?
case "$rc:$err" in
  *"exited with status 4; last output: oops") pass "failure: stderr in the error" ;;
  *) fail "failure: stderr in the error" "$rc:$err" ;;
esac
check_clean "failure: nothing left"

# ---------------------------------------------------------------------------------------
# Network and user.
interfaces() { probe "$@" -- sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort | tr "\n" " "'; }
check_equal "network none: only lo" "lo " "$(interfaces --network none)"
check_equal "network none: lo is up (IFF_UP|IFF_LOOPBACK)" "0x9" \
  "$(probe --network none -- cat /sys/class/net/lo/flags)"
# The host's own network namespace (its interfaces would race with other tests that make
# veth pairs meanwhile; the namespace's identity does not change).
check_equal "network host: the host's network namespace" "$(readlink /proc/self/ns/net)" \
  "$(probe --network host -- readlink /proc/self/ns/net)"
check_equal "user: uid and gid apply" "1000 1001" "$(probe --user 1000:1001 -- sh -c 'echo $(id -u) $(id -g)')"
check_equal "hostname: applies" "box" "$(probe --hostname box -- cat /etc/hostname)"
check_equal "cwd: applies" "/usr/share" "$(probe --cwd /usr/share -- pwd)"
check_clean "nothing left after the checks"

# Many layers: their full paths would pass the page of mount options the kernel reads.
MANY=()
for i in $(seq 1 120); do
  mkdir -p "$TEST_TMP/many/$i"
  echo "$i" >"$TEST_TMP/many/$i/f$i"
  tar -C "$TEST_TMP/many/$i" -cf "$TEST_TMP/many/$i.tar" "f$i"
  diff_id=sha256:$(sha256sum "$TEST_TMP/many/$i.tar" | cut -d' ' -f1)
  "$PROBE" add "$STORE" "$diff_id" <"$TEST_TMP/many/$i.tar" >/dev/null
  MANY=(--layer "$diff_id" "${MANY[@]}")
done
check_equal "many layers: 120 small ones on the image's" "1 120" \
  "$("$PROBE" run "$STORE" "${MANY[@]}" "${LAYER_ARGS[@]}" --env "$ENV_PATH" -- \
    sh -c 'echo $(cat /f1) $(cat /f120)' 2>&1)"
check_clean "many layers: nothing left"

# ---------------------------------------------------------------------------------------
# Interrupted: the container killed, everything undone, the probe ends by the signal.
for sig in INT TERM; do
  out=$TEST_TMP/signal-$sig.out
  # The probe itself in the background (a function would be a subshell: $! not the probe).
  "$PROBE" run "$STORE" "${LAYER_ARGS[@]}" --env "$ENV_PATH" -- sh -c 'echo started; sleep 120' \
    >"$out" 2>&1 &
  pid=$!
  for ((i = 0; i < 100; i++)); do grep -q started "$out" && break; sleep 0.1; done
  kill -"$sig" "$pid"
  rc=0
  wait "$pid" || rc=$?
  check_equal "SIG$sig: the probe ends by the signal" "$((128 + $(kill -l "$sig")))" "$rc"
  check_clean "SIG$sig: nothing left"
done

finish runner
