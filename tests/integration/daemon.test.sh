#!/usr/bin/env bash
# Integration test: docker-daemon: and containers-storage: against a private Docker engine
# (dockerd, vfs) and a private podman API service, both started here and stopped by PID.
#   read:  pith inspect --json gives the config digest and diff_ids that `docker save` /
#          `podman save` (and `image inspect` RootFS.Layers) give; pith ls matches the saved
#          archive read as docker-archive:;
#   write: pith copy oci:... into each daemon, then the image runs there and prints what the
#          fixture's CMD prints; an image copied from one daemon into the other keeps its ID;
#   fail:  an unknown image, a daemon that is not there, an ID as a destination: one
#          `pith: error:` line each, exit 2.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

IMAGE=localhost/pith-fixture/multilayer:1
EXPECTED_OUTPUT=new # the fixture's CMD: cat /data/opaque/new.txt

# ---------------------------------------------------------------------------------------
# Helpers

# start_podman_service (lib.sh): the API service on $PODMAN_SOCK over the same storage.

# saved_facts ENGINE IMAGE OUT: "config sha256:..." then "diff_id sha256:..." per layer, from
# `ENGINE save` (the config member's sha256, each layer member's sha256 in manifest order).
saved_facts() {
  local engine=$1 image=$2 out=$3 dir="$TEST_TMP/saved.$RANDOM" layer
  mkdir -p "$dir"
  "$engine" save -o "$dir.tar" "$image" >/dev/null 2>"$TEST_TMP/save.log"
  tar -xf "$dir.tar" -C "$dir"
  echo "config sha256:$(sha256sum <"$dir/$(jq -r '.[0].Config' "$dir/manifest.json")" | cut -c1-64)" >"$out"
  jq -r '.[0].Layers[]' "$dir/manifest.json" | while read -r layer; do
    echo "diff_id sha256:$(sha256sum <"$dir/$layer" | cut -c1-64)"
  done >>"$out"
  mv "$dir.tar" "$out.tar"
  rm -rf "$dir"
}

# inspect_facts ENGINE IMAGE: the same from `ENGINE image inspect` (Id, RootFS.Layers; podman
# writes the Id without its "sha256:").
inspect_facts() {
  "$1" image inspect "$2" |
    jq -r '.[0] | "config sha256:\(.Id | ltrimstr("sha256:"))", (.RootFS.Layers[] | "diff_id \(.)")'
}

# pith_facts REF: the same from `pith inspect --json`.
pith_facts() {
  pith_run inspect --json "$1" | jq -r '"config \(.config_digest)", (.layers[] | "diff_id \(.diff_id)")'
}

# check_reads NAME ENGINE REF: pith's view of REF against ENGINE's save and inspect.
check_reads() {
  local name=$1 engine=$2 ref=$3 facts="$TEST_TMP/facts.$RANDOM"
  saved_facts "$engine" "$IMAGE" "$facts.saved"
  inspect_facts "$engine" "$IMAGE" >"$facts.inspect"
  if pith_facts "$ref" >"$facts.pith"; then
    check_same_files "$name: config digest and diff_ids = $engine save" "$facts.saved" "$facts.pith"
    check_same_files "$name: config digest and diff_ids = $engine image inspect" "$facts.inspect" "$facts.pith"
  else
    fail "$name: pith inspect --json $ref" "$(pith_stderr)"
    return
  fi
  # Every entry of every layer, as pith lists them from the archive the engine saves.
  if pith_run ls "docker-archive:$facts.saved.tar" >"$facts.ls-saved" &&
    pith_run ls "$ref" >"$facts.ls-daemon"; then
    check_same_files "$name: pith ls = pith ls of the $engine save archive" "$facts.ls-saved" "$facts.ls-daemon"
  else
    fail "$name: pith ls" "$(pith_stderr)"
  fi
}

# check_runs NAME ENGINE IMAGE: the image runs in ENGINE and prints the fixture's output.
check_runs() {
  local out
  if out=$("$2" run --rm --network none "$3" 2>&1) && [ "$out" == "$EXPECTED_OUTPUT" ]; then
    pass "$1"
  else
    fail "$1" "$2 run --rm --network none $3: expected '$EXPECTED_OUTPUT'" "got: $(printf '%s\n' "$out" | tail -n 5)"
  fi
}

# check_fails NAME EXPECTED_TEXT COMMAND...: COMMAND (a pith run) exits 2 and prints one line
# "pith: error: ...EXPECTED_TEXT...".
check_fails() {
  local name=$1 text=$2 rc=0 err
  shift 2
  "$@" >/dev/null 2>"$TEST_TMP/fail.err" || rc=$?
  err=$(cat "$TEST_TMP/fail.err")
  if [ "$rc" -eq 2 ] && [ "$(wc -l <"$TEST_TMP/fail.err")" -eq 1 ] &&
    [[ $err == "pith: error: "* ]] && [[ $err == *"$text"* ]]; then
    pass "$name"
  else
    fail "$name" "$* -> exit $rc (want 2, one 'pith: error:' line containing '$text')" "$err"
  fi
}

# ---------------------------------------------------------------------------------------
require_pith
fixture_images
start_dockerd
start_podman_service
export DOCKER_HOST="unix://$DOCKERD_DIR/docker.sock"
export CONTAINER_HOST="unix://$PODMAN_SOCK"

# The fixture in both engines, loaded by their own CLIs.
check "docker load (fixture)" idocker load -i "$FIXTURE_DOCKER_ARCHIVE"
check "podman load (fixture)" ipodman load -i "$FIXTURE_DOCKER_ARCHIVE"

# --- Reading
check_reads "docker-daemon" idocker "docker-daemon:$IMAGE"
check_reads "containers-storage" ipodman "containers-storage:$IMAGE"
# By image ID, and (podman) by the short name `podman images` resolves.
id=$(idocker image inspect -f '{{.Id}}' "$IMAGE")
check_equal "docker-daemon: by image ID" "$id" \
  "$(pith_run inspect --json "docker-daemon:$id" | jq -r .config_digest)"
check_equal "containers-storage: by short name" "$id" \
  "$(pith_run inspect --json "containers-storage:pith-fixture/multilayer:1" | jq -r .config_digest)"

# --- Writing: an OCI layout (gzip layers) into each engine, then run it there.
if pith_run copy "oci:$FIXTURE_OCI_DIR" docker-daemon:pith-test/written:1 >/dev/null; then
  pass "pith copy oci: -> docker-daemon:"
  check_runs "docker run of the image pith wrote" idocker pith-test/written:1
  check_equal "docker-daemon: written image has the source's config" \
    "$(skopeo inspect --raw "oci:$FIXTURE_OCI_DIR" | jq -r .config.digest)" \
    "$(idocker image inspect -f '{{.Id}}' pith-test/written:1)"
else
  fail "pith copy oci: -> docker-daemon:" "$(pith_stderr)"
fi
if pith_run copy "oci:$FIXTURE_OCI_DIR" containers-storage:localhost/pith-test/written:1 >/dev/null; then
  pass "pith copy oci: -> containers-storage:"
  check_runs "podman run of the image pith wrote" ipodman localhost/pith-test/written:1
else
  fail "pith copy oci: -> containers-storage:" "$(pith_stderr)"
fi

# Daemon to daemon: streamed out of Docker into podman; the image ID (config) is kept.
if pith_run copy "docker-daemon:$IMAGE" containers-storage:localhost/pith-test/from-docker:1 >/dev/null; then
  pass "pith copy docker-daemon: -> containers-storage:"
  check_equal "docker-daemon: -> containers-storage: keeps the image ID" "$id" \
    "$(ipodman image inspect localhost/pith-test/from-docker:1 | jq -r '.[0].Id | "sha256:" + .')"
  check_runs "podman run of the image copied from Docker" ipodman localhost/pith-test/from-docker:1
else
  fail "pith copy docker-daemon: -> containers-storage:" "$(pith_stderr)"
fi

# --- Failures
check_fails "docker-daemon: unknown image" "No such image" "$PITH" inspect docker-daemon:pith-test/nope:1
check_fails "containers-storage: unknown image" "No such image" "$PITH" inspect containers-storage:localhost/pith-test/nope:1
check_fails "docker-daemon: no daemon" "cannot reach the Docker engine at $TEST_TMP/none.sock" \
  env DOCKER_HOST="unix://$TEST_TMP/none.sock" "$PITH" inspect docker-daemon:alpine
check_fails "containers-storage: no service" "podman system service --time=0" \
  env CONTAINER_HOST="unix://$TEST_TMP/none.sock" "$PITH" inspect containers-storage:alpine
check_fails "docker-daemon: tcp DOCKER_HOST" "unix socket only" \
  env DOCKER_HOST=tcp://127.0.0.1:2375 "$PITH" inspect docker-daemon:alpine
check_fails "docker-daemon: an ID is no destination" "an image ID names a source" \
  "$PITH" copy "oci:$FIXTURE_OCI_DIR" "docker-daemon:$id"
# A copy that fails half-way (a layer whose bytes were tampered with: the upload has begun
# when the digest check fails) loads nothing.
cp -r "$FIXTURE_OCI_DIR" "$TEST_TMP/tampered"
biggest=$(ls -S "$TEST_TMP/tampered/blobs/sha256/" | sed -n 1p)
printf 'X' | dd of="$TEST_TMP/tampered/blobs/sha256/$biggest" bs=1 seek=1000 conv=notrunc status=none
before=$(idocker images -a --no-trunc -q | sort | tr '\n' ' ')
check_fails "docker-daemon: tampered source" "" "$PITH" copy "oci:$TEST_TMP/tampered" docker-daemon:pith-test/partial:1
check_equal "docker-daemon: a failed copy loads nothing" "$before" "$(idocker images -a --no-trunc -q | sort | tr '\n' ' ')"

finish daemon
