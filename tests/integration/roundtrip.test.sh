#!/usr/bin/env bash
# Integration test: `pith copy` between oci:, oci-archive: and docker-archive:, judged only by
# other tools. For podman-made images and real-world corpus images, every output must be
# accepted by skopeo with the source's diff_ids, unpack with umoci to the same rootfs as the
# source, pass the OCI schema/digest validator, load into podman and Docker and run, and keep
# its manifest digest when copied between OCI forms. Also: --compress, --platform, --all,
# bare paths, dir: sources, and clean failures (exit 2, one error line, no partial output).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

C=$PITH_CORPUS
OCI_GZIP=application/vnd.oci.image.layer.v1.tar+gzip
OCI_ZSTD=application/vnd.oci.image.layer.v1.tar+zstd
OCI_TAR=application/vnd.oci.image.layer.v1.tar

# ---------------------------------------------------------------------------------------
# Helpers

# copy_or_fail NAME PITH_COPY_ARGS...: pith copy; one pass or one failure with pith's stderr.
copy_or_fail() {
  local name=$1 rc=0
  shift
  pith_run copy "$@" >/dev/null || rc=$?
  if [ "$rc" -eq 0 ]; then
    pass "$name"
  else
    fail "$name" "pith copy $* -> exit $rc" "$(pith_stderr)"
    return 1
  fi
}

# check_diff_ids NAME REF EXPECTED: skopeo reads REF and its config has the EXPECTED diff_ids.
check_diff_ids() {
  local actual
  if ! actual=$(skopeo_diff_ids "$2" 2>&1); then
    fail "$1" "skopeo inspect --config $2 failed:" "$actual"
    return
  fi
  check_equal "$1" "$3" "$actual"
}

# umoci_listing LAYOUT TAG OUT: umoci unpacks LAYOUT:TAG; OUT gets the rootfs listing.
umoci_listing() {
  local bundle="$TEST_TMP/bundle.$RANDOM"
  umoci unpack --image "$1:$2" "$bundle" >"$TEST_TMP/umoci.log" 2>&1 ||
    { tail -n 5 "$TEST_TMP/umoci.log"; rm -rf "$bundle"; return 1; }
  rootfs_listing "$bundle/rootfs" >"$3"
  rm -rf "$bundle"
}

# check_umoci_rootfs NAME LAYOUT TAG REFERENCE_LISTING
check_umoci_rootfs() {
  local out="$TEST_TMP/umoci.$RANDOM" msg
  if msg=$(umoci_listing "$2" "$3" "$out" 2>&1); then
    check_same_files "$1" "$4" "$out"
  else
    fail "$1" "umoci unpack --image $2:$3 failed:" "$msg"
  fi
}

# check_layout NAME DIR [validate_oci.py options]
check_layout() {
  local name=$1
  shift
  check "$name" validate_oci_layout "$@"
}

# probe_expectation ROOTFS PROBE: what a container must print for PROBE (see SOURCES).
probe_expectation() {
  case $2 in
    cat:*) sha256sum <"$1/${2#cat:}" | cut -c1-64 ;;
    out:*) echo "${2#out:}" ;;
    *) echo - ;;
  esac
}

# remove_all_images ENGINE: the engine's private store is emptied before each load, so the
# one image it then holds is the one just loaded.
remove_all_images() {
  local images
  images=$("$1" images -aq --no-trunc 2>/dev/null | sort -u)
  [ -z "$images" ] || "$1" rmi -f $images >/dev/null 2>&1 || true
}

# check_container_prints NAME ENGINE ARCHIVE PROBE EXPECTED: loads ARCHIVE into ENGINE (ipodman
# or idocker, each with private storage), runs PROBE and removes the image again.
check_container_prints() {
  local name=$1 engine=$2 archive=$3 probe=$4 expected=$5 image got
  remove_all_images "$engine"
  if ! "$engine" load -i "$archive" >"$TEST_TMP/load.log" 2>&1; then
    fail "$name" "$engine load -i $archive failed:" "$(tail -n 5 "$TEST_TMP/load.log")"
    return
  fi
  image=$("$engine" images -q --no-trunc | sed -n 1p)
  case $probe in
    cat:*)
      "$engine" run --rm --network none "$image" cat "${probe#cat:}" \
        >"$TEST_TMP/probe.out" 2>"$TEST_TMP/probe.err" || true
      got=$(sha256sum <"$TEST_TMP/probe.out" | cut -c1-64)
      if [ "$got" == "$expected" ]; then
        pass "$name"
      else
        fail "$name" "$engine run IMG cat ${probe#cat:}: content differs from the source's" \
          "printed: $(head -c 200 "$TEST_TMP/probe.out")" "stderr: $(tail -n 3 "$TEST_TMP/probe.err")"
      fi
      ;;
    out:*)
      "$engine" run --rm --network none "$image" >"$TEST_TMP/probe.out" 2>&1 || true
      if grep -qF "$expected" "$TEST_TMP/probe.out"; then
        pass "$name"
      else
        fail "$name" "$engine run IMG: expected output containing '$expected'" \
          "got: $(head -n 5 "$TEST_TMP/probe.out")"
      fi
      ;;
  esac
  "$engine" rmi -f "$image" >/dev/null 2>&1 || true
}

# check_docker_archive_layout NAME ARCHIVE TAG: the form skopeo writes, with uncompressed
# layers: manifest.json whose layer files hash to the config's diff_ids and whose RepoTags
# hold TAG, and no OCI layout beside it (podman would load that one, under another digest).
check_docker_archive_layout() {
  local name=$1 archive=$2 tag=$3 dir="$TEST_TMP/da.$RANDOM" problems=() config i layer
  mkdir -p "$dir"
  tar -xf "$archive" -C "$dir"
  if [ ! -f "$dir/manifest.json" ]; then
    fail "$name" "no manifest.json in $archive"
    return
  fi
  config="$dir/$(jq -r '.[0].Config' "$dir/manifest.json")"
  [ "$(jq -c '.[0].RepoTags' "$dir/manifest.json")" == "[\"$tag\"]" ] ||
    problems+=("RepoTags is $(jq -c '.[0].RepoTags' "$dir/manifest.json"), expected [\"$tag\"]")
  mapfile -t diff_ids < <(jq -r '.rootfs.diff_ids[]' "$config")
  mapfile -t layers < <(jq -r '.[0].Layers[]' "$dir/manifest.json")
  [ "${#layers[@]}" -eq "${#diff_ids[@]}" ] ||
    problems+=("${#layers[@]} layers in manifest.json, ${#diff_ids[@]} diff_ids in the config")
  for i in "${!layers[@]}"; do
    layer="$dir/${layers[$i]}"
    case $(head -c 4 "$layer" | od -An -tx1 | tr -d ' \n') in
      1f8b*) problems+=("layer ${layers[$i]} is gzip-compressed") ;;
      28b52ffd) problems+=("layer ${layers[$i]} is zstd-compressed") ;;
    esac
    [ "sha256:$(sha256sum <"$layer" | cut -c1-64)" == "${diff_ids[$i]:-}" ] ||
      problems+=("layer ${layers[$i]} does not hash to diff_id ${diff_ids[$i]:-none}")
  done
  for f in oci-layout index.json; do
    [ ! -e "$dir/$f" ] || problems+=("$f: an OCI layout beside manifest.json")
  done
  if [ ${#problems[@]} -eq 0 ]; then pass "$name"; else fail "$name" "${problems[@]}"; fi
  rm -rf "$dir"
}

# check_fails_cleanly NAME LEFTOVER PITH_ARGS...: pith exits 2 with one "pith: error:" line on
# stderr and leaves nothing at LEFTOVER.
check_fails_cleanly() {
  local name=$1 leftover=$2 rc=0 lines
  shift 2
  "$PITH" "$@" >/dev/null 2>"$TEST_TMP/err.txt" || rc=$?
  lines=$(wc -l <"$TEST_TMP/err.txt")
  if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q '^pith: error: ' "$TEST_TMP/err.txt" &&
    [ ! -e "$leftover" ]; then
    pass "$name"
  else
    local details=("pith $*" "expected: exit 2, one 'pith: error: ...' line, nothing at $leftover"
      "got:      exit $rc, $lines stderr lines: $(head -c 300 "$TEST_TMP/err.txt")")
    [ ! -e "$leftover" ] || details+=("and $leftover exists")
    fail "$name" "${details[@]}"
  fi
  rm -rf "$leftover"
}

# ---------------------------------------------------------------------------------------
# roundtrip_source NAME SOURCE PROBE [SOURCE_MANIFEST_DIGEST]
# Copies SOURCE into the three writable transports and checks each output. PROBE says how a
# container proves the image works: "cat:PATH" (prints PATH with the source's content),
# "out:TEXT" (the default command prints TEXT), "none" (cannot run here). When
# SOURCE_MANIFEST_DIGEST is given (OCI sources), OCI outputs must keep that manifest digest.
roundtrip_source() {
  local name=$1 src=$2 probe=$3 src_digest=${4:-}
  local out="$TEST_TMP/rt/$name" diff_ids expected digest
  mkdir -p "$out"
  echo "--- $name: $src"

  # The source as the other tools see it.
  diff_ids=$(skopeo_diff_ids "$src")
  skopeo copy -q "$src" "oci:$out/ref:latest" >/dev/null
  umoci_listing "$out/ref" latest "$out/ref.list"
  umoci unpack --image "$out/ref:latest" "$out/ref-bundle" >/dev/null
  expected=$(probe_expectation "$out/ref-bundle/rootfs" "$probe")
  rm -rf "$out/ref-bundle"

  # oci:
  local tag=:latest
  if copy_or_fail "$name: copy to oci:" "$src" "oci:$out/oci:latest"; then
    # An OCI layout holds OCI manifests: a Docker one is converted (skopeo and umoci read only
    # those).
    check_equal "$name: oci: holds an OCI manifest" "application/vnd.oci.image.manifest.v1+json" \
      "$(jq -r '.manifests[0].mediaType' "$out/oci/index.json")"
    check_diff_ids "$name: oci: diff_ids (skopeo)" "oci:$out/oci$tag" "$diff_ids"
    check_layout "$name: oci: validates" "$out/oci"
    check_umoci_rootfs "$name: oci: umoci rootfs equals the source's" "$out/oci" latest "$out/ref.list"
    check_inspect_json "$name: inspect --json agrees with skopeo" "oci:$out/oci$tag"
    digest=$(manifest_digest "oci:$out/oci$tag")
    if [ -n "$src_digest" ]; then
      check_equal "$name: oci: keeps the manifest digest" "$src_digest" "$digest"
    fi
    # Hops between OCI forms keep the digest.
    if copy_or_fail "$name: copy oci: to oci-archive:" "oci:$out/oci:latest" "oci-archive:$out/hop.tar:latest" &&
      copy_or_fail "$name: copy oci-archive: to oci:" "oci-archive:$out/hop.tar:latest" "oci:$out/hop2:latest"; then
      check_equal "$name: oci -> oci-archive -> oci keeps the manifest digest" \
        "$digest $digest" "$(manifest_digest "oci-archive:$out/hop.tar$tag") $(manifest_digest "oci:$out/hop2$tag")"
    fi
  fi

  # oci-archive:
  if copy_or_fail "$name: copy to oci-archive:" "$src" "oci-archive:$out/img.oci.tar:latest"; then
    check_diff_ids "$name: oci-archive: diff_ids (skopeo)" "oci-archive:$out/img.oci.tar$tag" "$diff_ids"
    mkdir -p "$out/oci-archive"
    tar -xf "$out/img.oci.tar" -C "$out/oci-archive"
    check_layout "$name: oci-archive: validates" "$out/oci-archive"
    check_umoci_rootfs "$name: oci-archive: umoci rootfs equals the source's" "$out/oci-archive" latest "$out/ref.list"
    if [ -n "$src_digest" ]; then
      check_equal "$name: oci-archive: keeps the manifest digest" "$src_digest" \
        "$(manifest_digest "oci-archive:$out/img.oci.tar$tag")"
    elif [ -d "$out/oci" ]; then
      check_equal "$name: oci: and oci-archive: outputs have one manifest digest" \
        "$(manifest_digest "oci:$out/oci$tag")" "$(manifest_digest "oci-archive:$out/img.oci.tar$tag")"
    fi
    if [ "$probe" != none ]; then
      check_container_prints "$name: oci-archive: podman load + run" ipodman "$out/img.oci.tar" "$probe" "$expected"
    fi
  fi

  # docker-archive:
  local name_tag="pith-test/$name:latest"
  if copy_or_fail "$name: copy to docker-archive:" "$src" "docker-archive:$out/img.docker.tar:$name_tag"; then
    check_diff_ids "$name: docker-archive: diff_ids (skopeo)" "docker-archive:$out/img.docker.tar" "$diff_ids"
    check_docker_archive_layout "$name: docker-archive: hybrid layout, uncompressed layers" \
      "$out/img.docker.tar" "$name_tag"
    if [ "$probe" != none ]; then
      check_container_prints "$name: docker-archive: podman load + run" ipodman "$out/img.docker.tar" "$probe" "$expected"
      check_container_prints "$name: docker-archive: docker load + run" idocker "$out/img.docker.tar" "$probe" "$expected"
    else
      remove_all_images idocker
      check "$name: docker-archive: docker load" idocker load -i "$out/img.docker.tar"
    fi
  fi
  rm -rf "$out"
}

# check_inspect_json NAME REF: pith inspect --json's digest, layers and diff_ids are skopeo's.
check_inspect_json() {
  local name=$1 ref=$2 json="$TEST_TMP/inspect.json" want got
  if ! pith_run inspect "$ref" --json >"$json"; then
    fail "$name" "pith inspect $ref --json failed: $(pith_stderr)"
    return
  fi
  want=$(
    echo "digest sha256:$(manifest_digest "$ref")"
    skopeo inspect --config "$ref" | jq -r '"platform \(.os)/\(.architecture)\(if .variant then "/" + .variant else "" end)"'
    skopeo inspect --raw "$ref" | jq -r '.layers[] | "layer \(.digest) \(.mediaType) \(.size)"'
    skopeo_diff_ids "$ref" | sed 's/^/diff_id /'
  ) || true
  got=$(jq -r '"digest \(.digest)", "platform \(.platform)",
               (.layers[] | "layer \(.digest) \(.media_type) \(.size)"),
               (.layers[] | "diff_id \(.diff_id)")' "$json" 2>&1) || true
  check_equal "$name" "$want" "$got"
}

# ---------------------------------------------------------------------------------------
require_pith
fixture_images
start_dockerd

# Sources: name | reference | probe | manifest digest to keep (OCI manifests only: oras-hello's
# amd64 image is a Docker manifest inside an OCI archive, made OCI when written to a layout)
SOURCES=(
  "fixture-docker|docker-archive:$FIXTURE_DOCKER_ARCHIVE|cat:/data/opaque/new.txt|"
  "fixture-oci|oci-archive:$FIXTURE_OCI_ARCHIVE|cat:/data/file with spaces.txt|$(manifest_digest "oci-archive:$FIXTURE_OCI_ARCHIVE")"
  "dive|docker-archive:$C/dive/test-docker-image.tar|cat:/root/saved.txt|"
  "hello-v25|docker-archive:$C/go-containerregistry/pkg/v1/tarball/testdata/hello-world-v25.tar|none|"
  "almostempty|docker-archive:$C/containers-image/docker/archive/fixtures/almostempty.tar|none|"
  "oras-hello|oci-archive:$C/oras-go/content/oci/testdata/hello-world.tar|out:Hello from Docker!|"
)
for entry in "${SOURCES[@]}"; do
  IFS='|' read -r name src probe digest <<<"$entry"
  roundtrip_source "$name" "$src" "$probe" "$digest"
done

# --compress on the podman-made OCI image (gzip layers): every setting keeps the diff_ids.
echo "--- compression variants"
out="$TEST_TMP/compress"
mkdir -p "$out"
fixture_diff_ids=$(skopeo_diff_ids "oci-archive:$FIXTURE_OCI_ARCHIVE")
skopeo copy -q "oci-archive:$FIXTURE_OCI_ARCHIVE" "oci:$out/ref:latest"
umoci_listing "$out/ref" latest "$out/ref.list"
for compression in gzip:$OCI_GZIP zstd:$OCI_ZSTD none:$OCI_TAR; do
  c=${compression%%:*}
  media_type=${compression#*:}
  dst="$out/$c"
  copy_or_fail "--compress $c: copy" --compress "$c" "oci-archive:$FIXTURE_OCI_ARCHIVE" "oci:$dst:latest" || continue
  check_equal "--compress $c: layer media types" \
    "$(printf "$media_type%.0s\n" $fixture_diff_ids)" \
    "$(skopeo inspect --raw "oci:$dst:latest" | jq -r '.layers[].mediaType')"
  check_diff_ids "--compress $c: diff_ids (skopeo)" "oci:$dst:latest" "$fixture_diff_ids"
  check_layout "--compress $c: validates (layers decompress to the diff_ids)" "$dst"
  if [ "$c" = zstd ]; then
    # umoci 0.4.7 cannot read zstd layers; podman and Docker (through docker-archive) can.
    copy_or_fail "--compress zstd: copy oci: to oci-archive:" "oci:$dst:latest" "oci-archive:$out/zstd.tar:latest" &&
      check_container_prints "--compress zstd: podman load + run" ipodman "$out/zstd.tar" \
        "cat:/data/opaque/new.txt" "$(echo new | sha256sum | cut -c1-64)"
    copy_or_fail "--compress zstd: copy oci: to docker-archive:" "oci:$dst:latest" "docker-archive:$out/zstd.docker.tar:pith-test/zstd:1" &&
      check_container_prints "--compress zstd: docker-archive: docker load + run" idocker "$out/zstd.docker.tar" \
        "cat:/data/opaque/new.txt" "$(echo new | sha256sum | cut -c1-64)"
  else
    check_umoci_rootfs "--compress $c: umoci rootfs equals the source's" "$dst" latest "$out/ref.list"
  fi
done
copy_or_fail "--compress gzip from docker-archive: copy" --compress gzip \
  "docker-archive:$FIXTURE_DOCKER_ARCHIVE" "oci:$out/from-docker:latest" &&
  check_layout "--compress gzip from docker-archive: validates" "$out/from-docker"

# Bare paths: the format is detected by content.
echo "--- bare paths"
fixture_digest=$(manifest_digest "oci-archive:$FIXTURE_OCI_ARCHIVE")
copy_or_fail "bare oci-archive path: copy" "$FIXTURE_OCI_ARCHIVE" "oci:$out/bare1:latest" &&
  check_equal "bare oci-archive path: keeps the manifest digest" "$fixture_digest" "$(manifest_digest "oci:$out/bare1:latest")"
copy_or_fail "bare oci layout path: copy" "$FIXTURE_OCI_DIR" "oci:$out/bare2:latest" &&
  check_equal "bare oci layout path: keeps the manifest digest" "$fixture_digest" "$(manifest_digest "oci:$out/bare2:latest")"
copy_or_fail "bare docker-archive path: copy" "$FIXTURE_DOCKER_ARCHIVE" "oci:$out/bare3:latest" &&
  check_diff_ids "bare docker-archive path: diff_ids" "oci:$out/bare3:latest" "$(skopeo_diff_ids "docker-archive:$FIXTURE_DOCKER_ARCHIVE")"

# rootfs: sources: a rootfs tarball and a plain directory become one-layer images.
echo "--- rootfs: sources"
if copy_or_fail "rootfs: rootfs tarball: copy" "rootfs:$(alpine_minirootfs)" "oci-archive:$out/alpine.tar:latest"; then
  mkdir -p "$out/alpine"
  tar -xf "$out/alpine.tar" -C "$out/alpine"
  check_layout "rootfs: rootfs tarball: validates" "$out/alpine"
  check_container_prints "rootfs: rootfs tarball: podman load + run" ipodman "$out/alpine.tar" \
    "cat:/etc/alpine-release" "$(echo 3.19.4 | sha256sum | cut -c1-64)"
fi
umoci unpack --image "$out/ref:latest" "$out/ref-bundle" >/dev/null
if copy_or_fail "rootfs: directory: copy" "rootfs:$out/ref-bundle/rootfs" "oci:$out/fromdir:latest"; then
  check_layout "rootfs: directory: validates" "$out/fromdir"
  if umoci_listing "$out/fromdir" latest "$out/fromdir.list"; then
    # Compared without owners: whether rootfs: keeps the directory's owners is pith's choice.
    cut -f1,2,3,5,6 "$out/ref.list" >"$out/ref.noowner"
    cut -f1,2,3,5,6 "$out/fromdir.list" >"$out/fromdir.noowner"
    check_same_files "rootfs: directory: umoci rootfs equals the directory" "$out/ref.noowner" "$out/fromdir.noowner"
  else
    fail "rootfs: directory: umoci unpack" "$(tail -n 5 "$TEST_TMP/umoci.log")"
  fi
fi
rm -rf "$out/ref-bundle"

# Platforms: stereoscope's two-platform layout (upstream: amd64 selects e7c26a4b…,
# arm64 selects 5ed07065…, ppc64le must fail).
echo "--- platforms"
multi="$C/stereoscope/pkg/image/oci/testdata/multiplatform_oci_dir"
copy_or_fail "--platform linux/arm64: copy" --platform linux/arm64 "oci:$multi:latest" "oci:$out/arm64:latest" &&
  check_equal "--platform linux/arm64: selects 5ed07065" \
    5ed07065bcbc6c52e3ad28526557d7b6833613fc79257b1a786de85e37c03b05 "$(manifest_digest "oci:$out/arm64:latest")"
copy_or_fail "default platform (linux/amd64): copy" "oci:$multi:latest" "oci:$out/amd64:latest" &&
  check_equal "default platform: selects e7c26a4b" \
    e7c26a4b4d156fd9947ee82295b7b78acf7aa54b93b8f3e4b9f608179ffb20e8 "$(manifest_digest "oci:$out/amd64:latest")"
if copy_or_fail "--all: copy" --all "oci:$multi:latest" "oci:$out/all:latest"; then
  check_equal "--all: keeps the index digest" "$(manifest_digest "oci:$multi:latest")" "$(manifest_digest "oci:$out/all:latest")"
  check_layout "--all: validates" "$out/all"
fi
check_fails_cleanly "--platform linux/ppc64le fails cleanly" "$out/ppc" \
  copy --platform linux/ppc64le "oci:$multi:latest" "oci:$out/ppc:latest"
check_fails_cleanly "--all with absent platform blobs (oras hello-world) fails cleanly" "$out/oras-all.tar" \
  copy --all "oci-archive:$C/oras-go/content/oci/testdata/hello-world.tar" "oci-archive:$out/oras-all.tar:latest"
check_fails_cleanly "not an image (dive/test-gzip-image.tar) fails cleanly" "$out/notimage" \
  copy "$C/dive/test-gzip-image.tar" "oci:$out/notimage:latest"

# go-containerregistry's docker-archive quirks: several images in one archive, a layer.tar that
# is a symlink to another layer, missing or null manifest.json.
echo "--- docker-archive quirks"
T="$C/go-containerregistry/pkg/v1/tarball/testdata"
check_fails_cleanly "test_bundle.tar (2 images) without a name fails cleanly" "$out/bundle" \
  copy "docker-archive:$T/test_bundle.tar" "oci:$out/bundle:latest"
copy_or_fail "test_bundle.tar:test_image_1: copy" "docker-archive:$T/test_bundle.tar:test_image_1" "oci:$out/bundle1:latest" &&
  check_diff_ids "test_bundle.tar:test_image_1: diff_ids (skopeo reads image @1)" "oci:$out/bundle1:latest" \
    "$(skopeo_diff_ids "docker-archive:$T/test_bundle.tar:@1")"
copy_or_fail "test_bundle.tar:@1: copy" "docker-archive:$T/test_bundle.tar:@1" "oci:$out/bundle2:latest" &&
  check_equal "test_bundle.tar: by name and by index give one manifest" \
    "$(manifest_digest "oci:$out/bundle1:latest")" "$(manifest_digest "oci:$out/bundle2:latest")"
if copy_or_fail "test_link.tar (symlinked layer.tar): copy" \
  "docker-archive:$T/test_link.tar:bazel/v1/tarball:test_image_3" "oci:$out/link:latest"; then
  check_diff_ids "test_link.tar: diff_ids (upstream: 8897395f... first)" "oci:$out/link:latest" \
    "$(printf '%s\n' sha256:8897395fd26dc44ad0e2a834335b33198cb41ac4d98dfddf58eced3853fa7b17 \
      sha256:6b617a2706576ed038acdc3aa668cac62010386a5a3d227d83aada32085c9f29)"
  check_layout "test_link.tar: validates" "$out/link"
fi
for broken in no_manifest null_manifest; do
  check_fails_cleanly "$broken.tar fails cleanly" "$out/$broken" \
    copy "docker-archive:$T/$broken.tar" "oci:$out/$broken:latest"
done

echo "--- $SECONDS s"
finish roundtrip
