#!/usr/bin/env bash
# Integration test: `pith copy` copies the blobs of an image in parallel, against Debian's
# docker-registry behind registry/fault_proxy.py in its "slow" mode (every blob GET and every
# upload's final PUT waits 1 s). Checked: a pull and a push of a 4-layer image have 4 blob
# requests in flight at once, as the proxy counts them (with --image-parallel-copies 1, one);
# what they write is identical to the one-by-one copy and to the source, judged by skopeo
# (manifest digests) and sha256sum (every blob file); on a terminal (script(1) gives pith a
# pseudo-terminal) a line per blob with its size as skopeo's manifest gives it, and several
# blobs in flight at once; without a terminal, stderr stays empty.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_pith

command -v docker-registry >/dev/null || { skip copy_parallel "docker-registry is not installed"; finish copy_parallel; }
command -v script >/dev/null || { skip copy_parallel "script (util-linux) is not installed"; finish copy_parallel; }

sha_of() { sha256sum | cut -d' ' -f1; }

# make_image DIR: an OCI layout of 4 gzip layers of 1-2 MiB of random bytes each, written with
# tar, gzip and jq only (so pith has no hand in the source).
make_image() {
  local dir=$1 i work="$TEST_TMP/layers" diff_ids=() layers=() digest size config
  mkdir -p "$dir/blobs/sha256" "$work"
  for i in 1 2 3 4; do
    mkdir -p "$work/$i/data"
    head -c $((1048576 + i * 200000)) /dev/urandom >"$work/$i/data/file$i"
    tar --sort=name --owner=0 --group=0 --mtime=@0 -C "$work/$i" -cf "$work/$i.tar" data
    diff_ids+=("sha256:$(sha_of <"$work/$i.tar")")
    gzip -n -c "$work/$i.tar" >"$work/$i.tar.gz"
    digest=$(sha_of <"$work/$i.tar.gz")
    size=$(stat -c %s "$work/$i.tar.gz")
    cp "$work/$i.tar.gz" "$dir/blobs/sha256/$digest"
    layers+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$digest\",\"size\":$size}")
  done
  config=$(jq -cn --args '{architecture: "amd64", os: "linux", config: {},
    rootfs: {type: "layers", diff_ids: $ARGS.positional}}' "${diff_ids[@]}")
  printf '%s' "$config" >"$work/config"
  digest=$(sha_of <"$work/config")
  cp "$work/config" "$dir/blobs/sha256/$digest"
  jq -cn --arg c "sha256:$digest" --argjson s "$(stat -c %s "$work/config")" \
    --argjson layers "[$(IFS=,; echo "${layers[*]}")]" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $s},
      layers: $layers}' | tr -d '\n' >"$work/manifest"
  digest=$(sha_of <"$work/manifest")
  cp "$work/manifest" "$dir/blobs/sha256/$digest"
  jq -cn --arg d "sha256:$digest" --argjson s "$(stat -c %s "$work/manifest")" \
    '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: $d, size: $s, annotations: {"org.opencontainers.image.ref.name": "t"}}]}' >"$dir/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
}

# blob_sums LAYOUT: "sha256sum  name" of every blob file (the name must be the sum).
blob_sums() { (cd "$1/blobs/sha256" && sha256sum -- * | LC_ALL=C sort); }
# timed VAR COMMAND...: runs COMMAND (quiet), seconds taken in VAR; fails the script if it fails.
timed() {
  local var=$1 start
  shift
  start=$(date +%s.%N)
  if ! "$@" >"$TEST_TMP/timed.out" 2>&1; then
    fail "command failed: $*" "$(tail -n 5 "$TEST_TMP/timed.out")"
    finish copy_parallel
  fi
  printf -v "$var" '%s' "$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.2f", e - s}')"
}

# ---------------------------------------------------------------------------------------
# The registry, the proxy in front of it, the image (skopeo pushes it, straight).
REG=$(free_port)
start_registry registry "$REG"
PROXY=$(free_port)
touch "$TEST_TMP/proxy-requests.log"
start_daemon proxy "$PYTHON" "$INTEGRATION_DIR/registry/fault_proxy.py" --port "$PROXY" \
  --upstream "127.0.0.1:$REG" --log "$TEST_TMP/proxy-requests.log"
wait_port "$PROXY" proxy "$TEST_TMP/proxy.log"
fault() { curl -sf "http://127.0.0.1:$PROXY/__fault?$1" >/dev/null; }
# inflight: how many slowed-down blob requests overlapped at most since the last call.
inflight() { curl -sf "http://127.0.0.1:$PROXY/__inflight"; }
direct=docker://127.0.0.1:$REG
slow=docker://127.0.0.1:$PROXY
PLAIN=(--src-tls-verify=false --dest-tls-verify=false)

make_image "$TEST_TMP/src"
check "source image: skopeo reads the layout made for the test" skopeo inspect --raw "oci:$TEST_TMP/src:t"
check "source image: skopeo pushes it" skopeo copy -q --dest-tls-verify=false "oci:$TEST_TMP/src:t" "$direct/par/src:1"
src_manifest=$(skopeo inspect --raw --tls-verify=false "$direct/par/src:1" | sha_of)
check_equal "source image: the registry holds the layout's manifest" \
  "$(skopeo inspect --raw "oci:$TEST_TMP/src:t" | sha_of)" "$src_manifest"

# ---------------------------------------------------------------------------------------
# 1. Pull: 4 layers (and the config, read once to resolve the image), 1 s each.
fault "mode=slow&delay=1"
inflight >/dev/null
timed t_serial "$PITH" copy -q "${PLAIN[@]}" --image-parallel-copies 1 "$slow/par/src:1" "oci:$TEST_TMP/pull-serial:t"
serial_inflight=$(inflight)
timed t_parallel "$PITH" copy -q "${PLAIN[@]}" "$slow/par/src:1" "oci:$TEST_TMP/pull-parallel:t"
parallel_inflight=$(inflight)
fault "mode=none"
# Serial: the config, then 4 layers one after the other; parallel: the config, then the 4 at once
# (the times are shown, not judged: the machine may be busy).
check_equal "pull: one by one, one blob at a time (took ${t_serial} s)" 1 "$serial_inflight"
check_equal "pull: in parallel, 4 blobs at a time (took ${t_parallel} s)" 4 "$parallel_inflight"
check_equal "pull: parallel = one by one (manifest digest, skopeo inspect --raw)" \
  "$(skopeo inspect --raw "oci:$TEST_TMP/pull-serial:t" | sha_of)" "$(skopeo inspect --raw "oci:$TEST_TMP/pull-parallel:t" | sha_of)"
check_equal "pull: parallel = the registry's manifest" "$src_manifest" "$(skopeo inspect --raw "oci:$TEST_TMP/pull-parallel:t" | sha_of)"
check_equal "pull: parallel = one by one (every blob, sha256sum)" "$(blob_sums "$TEST_TMP/pull-serial")" "$(blob_sums "$TEST_TMP/pull-parallel")"
check_equal "pull: every blob file's sum is its name" \
  "$(blob_sums "$TEST_TMP/pull-parallel" | awk '$1 != $2' | wc -l)" 0
check_equal "pull: parallel = the source layout (every blob, sha256sum)" \
  "$(blob_sums "$TEST_TMP/src")" "$(blob_sums "$TEST_TMP/pull-parallel")"
check "pull: the parallel copy is a valid layout" validate_oci_layout "$TEST_TMP/pull-parallel"

# ---------------------------------------------------------------------------------------
# 2. Push: every upload's final PUT waits 1 s (the config's too: 5 uploads).
fault "mode=slow&delay=1"
inflight >/dev/null
timed t_serial "$PITH" copy -q "${PLAIN[@]}" --image-parallel-copies 1 "oci:$TEST_TMP/src:t" "$slow/par/pushed-serial:1"
serial_inflight=$(inflight)
timed t_parallel "$PITH" copy -q "${PLAIN[@]}" "oci:$TEST_TMP/src:t" "$slow/par/pushed-parallel:1"
parallel_inflight=$(inflight)
fault "mode=none"
check_equal "push: one by one, one blob at a time (took ${t_serial} s)" 1 "$serial_inflight"
check_equal "push: in parallel, 4 blobs at a time (took ${t_parallel} s)" 4 "$parallel_inflight"
check_equal "push: parallel: manifest digest = the source's (skopeo inspect --raw)" \
  "$src_manifest" "$(skopeo inspect --raw --tls-verify=false "$direct/par/pushed-parallel:1" | sha_of)"
check_equal "push: one by one: manifest digest = the source's" \
  "$src_manifest" "$(skopeo inspect --raw --tls-verify=false "$direct/par/pushed-serial:1" | sha_of)"
check "push: skopeo pulls what pith pushed in parallel (verifying every blob)" \
  skopeo copy -q --src-tls-verify=false "$direct/par/pushed-parallel:1" "oci:$TEST_TMP/skopeo-pulled:t"
check_equal "push: skopeo's pull has the source's blobs (sha256sum)" \
  "$(blob_sums "$TEST_TMP/src")" "$(blob_sums "$TEST_TMP/skopeo-pulled")"

# ---------------------------------------------------------------------------------------
# 3. Progress on a terminal: script(1) runs pith on a pseudo-terminal and keeps what it shows.
fault "mode=slow&delay=1"
script -qfec "$PITH copy ${PLAIN[*]} $slow/par/src:1 oci:$TEST_TMP/pull-tty:t" /dev/null >"$TEST_TMP/tty.raw" </dev/null
fault "mode=none"
tty_screen <"$TEST_TMP/tty.raw" >"$TEST_TMP/tty.screen"
raw=$(skopeo inspect --raw --tls-verify=false "$direct/par/src:1")
{
  jq -r '"config \(.config.digest) \(.config.size)", (.layers[] | "blob \(.digest) \(.size)")' <<<"$raw" |
    while read -r kind digest size; do
      printf 'Copying %-6s %s  done  %s\n' "$kind" "${digest:7:12}" "$(human_bytes "$size")"
    done | LC_ALL=C sort
  echo "Copied $slow/par/src:1 to oci:$TEST_TMP/pull-tty:t: sha256:$src_manifest (5 blobs written, 0 already present)"
} >"$TEST_TMP/tty.expected"
# The blobs finish in any order; the summary comes last.
{ grep '^Copying ' "$TEST_TMP/tty.screen" | LC_ALL=C sort; grep -v '^Copying ' "$TEST_TMP/tty.screen"; } >"$TEST_TMP/tty.sorted"
check_same_files "tty: a line per blob with its size (skopeo inspect --raw), then the summary" \
  "$TEST_TMP/tty.expected" "$TEST_TMP/tty.sorted"
total=$(jq '.config.size + ([.layers[].size] | add)' <<<"$raw")
check "tty: the total line counts the image's blobs ($(human_bytes "$total"))" \
  grep -q "Total  [0-9]/5 blobs  .* / $(human_bytes "$total")" "$TEST_TMP/tty.raw"
# Several blobs in flight at once: 4 live lines and the total line, drawn in one redraw.
in_flight=$(tr '\r' '\n' <"$TEST_TMP/tty.raw" | grep -c '\[.*\]  .* / ' || true)
if [ "$in_flight" -ge 4 ] && grep -q $'\033\[5A' "$TEST_TMP/tty.raw"; then
  pass "tty: several blobs in flight at once (4 live lines redrawn together)"
else
  fail "tty: several blobs in flight at once" "live lines seen: $in_flight" "$(head -c 600 "$TEST_TMP/tty.raw" | cat -v)"
fi

# Without a terminal nothing is added: stderr empty, stdout the one summary line.
"$PITH" copy "${PLAIN[@]}" "$slow/par/src:1" "oci:$TEST_TMP/pull-pipe:t" >"$TEST_TMP/pipe.out" 2>"$TEST_TMP/pipe.err"
check_equal "no tty: stderr is empty" "" "$(cat "$TEST_TMP/pipe.err")"
check_equal "no tty: stdout is the summary line" \
  "Copied $slow/par/src:1 to oci:$TEST_TMP/pull-pipe:t: sha256:$src_manifest (5 blobs written, 0 already present)" \
  "$(cat "$TEST_TMP/pipe.out")"
# -q on a terminal: nothing at all.
script -qfec "$PITH copy -q ${PLAIN[*]} $slow/par/src:1 oci:$TEST_TMP/pull-quiet:t" /dev/null >"$TEST_TMP/quiet.raw" </dev/null
check_equal "tty -q: nothing shown" "" "$(cat "$TEST_TMP/quiet.raw")"

finish copy_parallel
