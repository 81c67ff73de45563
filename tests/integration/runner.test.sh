#!/usr/bin/env bash
# Integration test of the RUN executor (src/runner), driven by pith_runner_probe until
# `pith build -f` uses it: the layers of the real Debian fixture (lib.sh's debian_fixture)
# unpacked into a layer store, commands run on them by runc over overlayfs, against podman:
#   - the layer of a RUN that writes, deletes, replaces a directory, hard-links and sets a
#     setuid bit lists the same entries as the layer `podman build` makes of the same RUN
#     (type, mode, uid/gid, size, link target; mtimes excepted);
#   - a failing command: its exit status and last output lines in the one-line error;
#   - --network none has only lo; --user's uid and gid apply;
#   - RUN --mount's kinds: a bind read-only (a write fails) or writable (the writes discarded,
#     the host's directory untouched, as BuildKit's rw bind), a cache whose contents persist
#     from one run to the next, a tmpfs with its size, secrets at /run/secrets/ID and at a
#     target with their owner and mode; the layers (tar -tv) hold none of what was written
#     under the targets and no stub of them or of the directories made above them;
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

# ---------------------------------------------------------------------------------------
# RUN --mount. Each RUN also writes /marker: its layer must hold that and nothing else.
MNT=$TEST_TMP/mounts
mkdir -p "$MNT/ctx/sub" "$MNT/cache"
echo ctx >"$MNT/ctx/file"
printf s3cr3t >"$MNT/secret"
MARKER_ONLY='-rw-r--r-- 0/0 0 marker'
# layer_listing TAR: tar -tv of a layer without dates, one line per entry.
layer_listing() { tar --numeric-owner -tvf "$1" | awk '{ print $1, $2, $3, $6 }'; }

out=$(probe --layer-out "$TEST_TMP/m1.tar" \
  --mount "type=bind,target=/ctx,source=$MNT/ctx,ro" \
  --mount "type=tmpfs,target=/tmp/t/u,size=1048576" \
  --mount "type=secret,target=/run/secrets/mysecret,source=$MNT/secret" \
  --mount "type=secret,target=/etc/app.key,source=$MNT/secret,uid=7,gid=8,mode=0440" \
  -- sh -c 'touch /marker; cat /ctx/file; touch /ctx/new 2>/dev/null && echo wrote || echo refused
    echo x >/tmp/t/u/f; mkdir /tmp/t/u/d; grep " /tmp/t/u " /proc/mounts | grep -o "size=[0-9a-z]*"
    cat /run/secrets/mysecret; echo; stat -c "%a %u %g" /run/secrets/mysecret /etc/app.key
    echo y 2>/dev/null >/run/secrets/mysecret && echo wrote || echo refused' 2>&1) || true
check_equal "mount: bind ro, tmpfs, secrets seen in the RUN" \
  "$(printf 'ctx\nrefused\nsize=1024k\ns3cr3t\n400 0 0\n440 7 8\nrefused')" "$out"
check_equal "mount: the layer holds no target, stub or write under them" "$MARKER_ONLY" \
  "$(layer_listing "$TEST_TMP/m1.tar")"
check_equal "mount: the bind's source untouched" "file sub" "$(ls "$MNT/ctx" | tr '\n' ' ' | sed 's/ $//')"
check_clean "mount: nothing left (secrets' tmpfs unmounted)"

out=$(probe --layer-out "$TEST_TMP/m2.tar" --mount "type=bind,target=/ctx,source=$MNT/ctx,rw" \
  -- sh -c 'touch /marker; echo changed >/ctx/file; echo more >/ctx/new; rm -r /ctx/sub
    cat /ctx/file; ls /ctx' 2>&1) || true
check_equal "mount: bind rw writes seen in the RUN" "$(printf 'changed\nfile\nnew')" "$out"
check_equal "mount: bind rw leaves the host's directory as it was" "ctx|file sub" \
  "$(cat "$MNT/ctx/file")|$(ls "$MNT/ctx" | tr '\n' ' ' | sed 's/ $//')"
check_equal "mount: bind rw writes not in the layer" "$MARKER_ONLY" "$(layer_listing "$TEST_TMP/m2.tar")"
check_clean "mount: nothing left (bind rw's overlay unmounted)"

for i in 1 2; do
  out=$(probe --layer-out "$TEST_TMP/cache$i.tar" \
    --mount "type=cache,target=/root/.cache/pith,source=$MNT/cache" \
    -- sh -c 'touch /marker; echo run >>/root/.cache/pith/runs; wc -l </root/.cache/pith/runs' 2>&1) || true
  check_equal "mount: cache run $i sees the runs before it" "$i" "$out"
  check_equal "mount: cache run $i's layer holds none of the cache" "$MARKER_ONLY" \
    "$(layer_listing "$TEST_TMP/cache$i.tar")"
done
check_equal "mount: the cache's contents persist on the host" "2" "$(wc -l <"$MNT/cache/runs")"

# A directory made above a target reaches the layer only when the RUN writes into it.
out=$(probe --layer-out "$TEST_TMP/m3.tar" --mount "type=tmpfs,target=/opt/a/b" \
  -- sh -c 'echo kept >/opt/a/c' 2>&1) || true
check_equal "mount: a written parent of a target is kept, its stub is not" \
  "$(printf 'drwxr-xr-x 0/0 0 opt/\ndrwxr-xr-x 0/0 0 opt/a/\n-rw-r--r-- 0/0 5 opt/a/c')" \
  "$(layer_listing "$TEST_TMP/m3.tar")"
rc=0
probe --mount "type=secret,target=/s,source=$MNT/secret" -- sh -c 'exit 5' >/dev/null 2>&1 || rc=$?
check_equal "mount: a failing RUN with mounts fails" 2 "$rc"
check_clean "mount: nothing left after a failure"

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
