#!/usr/bin/env bash
# Integration test: `pith ls --json` (the squashed file tree) against listings computed without
# pith. Reference 1: GNU tar extracts every layer in order into a directory, with whiteouts
# applied by this script, and find lists the result. Reference 2 (path set only): podman
# exports a container of the image. Images: the podman-built multi-layer fixture (in three
# transports) and, from the corpus, dive's 14-layer image and a Docker 25 hybrid archive.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

LISTING=("$PYTHON" "$INTEGRATION_DIR/listing.py")
FIND_FORMAT='%P\t%y\t%m\t%U\t%G\t%s\t%T@\t%l\t%i\n'
# Files and directories a container runtime adds to a rootfs; not part of the image.
RUNTIME_ADDED=(/etc/hostname /etc/hosts /etc/resolv.conf /run/.containerenv /run/secrets)

# oci_layout_layers DIR: the layer blobs of the layout's only manifest, bottom first.
oci_layout_layers() {
  local manifest
  manifest=$(jq -r '.manifests[0].digest' "$1/index.json")
  jq -r '.layers[].digest' "$1/blobs/sha256/${manifest#sha256:}" | sed "s|^sha256:|$1/blobs/sha256/|"
}

# squashed_listing OUT LAYER_FILE... [-- listing.py options]: the layers applied in order
# into an empty directory, listed and normalised.
squashed_listing() {
  local out=$1 work="$TEST_TMP/ref.$RANDOM" layers=()
  shift
  while [ $# -gt 0 ] && [ "$1" != -- ]; do layers+=("$1"); shift; done
  [ $# -eq 0 ] || shift
  mkdir -p "$work/root"
  for layer in "${layers[@]}"; do apply_layer "$work/root" "$layer"; done
  find "$work/root" -mindepth 1 -printf "$FIND_FORMAT" >"$work/find.txt"
  "${LISTING[@]}" find "$work/find.txt" "$@" >"$out"
  rm -rf "$work"
}

# reference_listing ARCHIVE OUT [listing.py options]: the squashed tree of a docker-archive.
reference_listing() {
  local archive=$1 out=$2 work="$TEST_TMP/archive.$RANDOM" layers
  shift 2
  mapfile -t layers < <(docker_archive_layers "$archive" "$work")
  squashed_listing "$out" "${layers[@]}" -- "$@"
  rm -rf "$work"
}

# layer_listing LAYER_TAR OUT [listing.py options]: one layer as stored (whiteout markers
# included), extracted alone by GNU tar into an empty directory.
layer_listing() {
  local layer=$1 out=$2 work="$TEST_TMP/layer.$RANDOM"
  shift 2
  mkdir -p "$work/root"
  tar -xf "$layer" -C "$work/root" --numeric-owner --same-owner --same-permissions
  find "$work/root" -mindepth 1 -printf "$FIND_FORMAT" >"$work/find.txt"
  "${LISTING[@]}" find "$work/find.txt" "$@" >"$out"
  rm -rf "$work"
}

# compare_each_layer NAME ARCHIVE [listing.py options]: `pith ls --layer N` for every layer of
# a docker-archive against that layer extracted alone.
compare_each_layer() {
  local name=$1 archive=$2 work="$TEST_TMP/layers.$RANDOM" i=0 layer
  shift 2
  while IFS= read -r layer; do
    layer_listing "$layer" "$work.ref" "$@"
    compare_ls_with_reference "$name: ls --layer $i" "$archive" "$work.ref" --layer "$i" -- "$@"
    i=$((i + 1))
  done < <(docker_archive_layers "$archive" "$work")
  rm -rf "$work" "$work.ref"
}

# pith_listing IMAGE OUT [pith ls options --] [listing.py options]: pith ls --json, normalised; fails the check
# (returns 1) when pith fails or its JSON breaks the contract.
# Arguments before a "--" go to pith ls, the rest to listing.py.
pith_listing() {
  local image=$1 out=$2 json="$TEST_TMP/pith-ls.json" pith_args=()
  shift 2
  if [[ " $* " == *" -- "* ]]; then
    while [ "$1" != -- ]; do pith_args+=("$1"); shift; done
    shift
  fi
  if ! pith_run ls "$image" --json "${pith_args[@]}" >"$json"; then
    echo "pith ls $image --json ${pith_args[*]} failed: $(pith_stderr)"
    return 1
  fi
  "${LISTING[@]}" pith "$json" "$@" >"$out"
}

# compare_ls_with_reference NAME IMAGE REFERENCE [pith ls options --] [listing.py options]
compare_ls_with_reference() {
  local name=$1 image=$2 reference=$3 actual="$TEST_TMP/actual.$RANDOM" msg
  shift 3
  if msg=$(pith_listing "$image" "$actual" "$@" 2>&1); then
    check_same_files "$name" "$reference" "$actual"
  else
    fail "$name" "$msg"
  fi
}

# exported_paths ARCHIVE OUT: paths of `podman export` of a container of the image, minus what
# the runtime adds.
exported_paths() {
  local archive=$1 out=$2 image cid excludes=()
  image=$(ipodman load -q -i "$archive" | sed -n 's/^Loaded image[^:]*: *//p' | sed -n 1p)
  cid=$(ipodman create --network none "$image" true)
  ipodman export "$cid" | tar -t --quoting-style=literal >"$TEST_TMP/export.txt"
  ipodman rm "$cid" >/dev/null
  for p in "${RUNTIME_ADDED[@]}"; do excludes+=(--exclude "$p"); done
  "${LISTING[@]}" tar "$TEST_TMP/export.txt" "${excludes[@]}" >"$out"
}

# ---------------------------------------------------------------------------------------
require_pith
fixture_images
excludes_runtime=()
for p in "${RUNTIME_ADDED[@]}"; do excludes_runtime+=(--exclude "$p"); done

# The reference itself must hold what the fixture's Containerfile says (guards the script).
reference_listing "$FIXTURE_DOCKER_ARCHIVE" "$TEST_TMP/fixture.ref"
expect_in_reference() {
  local path=$1 want=$2 line
  line=$(awk -F'\t' -v p="$path" '$1 == p' "$TEST_TMP/fixture.ref")
  case $want in
    absent) [ -z "$line" ] ;;
    *) [[ $line == *"$want"* ]] ;;
  esac
}
reference_ok=1
for expectation in \
  "/data/delete-me.txt|absent" "/data/gone-dir|absent" "/data/gone-dir/sub/f.txt|absent" \
  "/data/opaque/old.txt|absent" "/data/opaque/old-sub|absent" "/data/opaque/new.txt|file" \
  "/data/opaque/second.txt|file" "/data/dir-becomes-file|file" \
  "/data/dir-becomes-file/f.txt|absent" "/data/file-becomes-dir|directory" \
  "/data/file-becomes-dir/inside.txt|file" "/data/link-to-release|symlink" \
  "/data/dangling-link|file" "/data/hardlink-src.txt|=/data/hardlink-dst.txt" \
  "/data/setuid-tool|	4755	" "/data/setgid-dir|	2775	" "/data/sticky-dir|	1777	" \
  "/data/a-fifo|fifo" "/data/null-dev|char" "/data/owned/secret.txt|absent" \
  "/data/owned/plain.txt|	0640	1000	1001	" "/etc/motd|absent" "/media/cdrom|absent" \
  "/data/file with spaces.txt|file" "/data/ünïcödé-файл.txt|file"; do
  if ! expect_in_reference "${expectation%%|*}" "${expectation#*|}"; then
    fail "reference listing: ${expectation%%|*} is ${expectation#*|}" \
      "$(grep -F "${expectation%%|*}" "$TEST_TMP/fixture.ref" || echo '(absent)')"
    reference_ok=0
  fi
done
[ "$reference_ok" = 1 ] && pass "reference listing of the fixture holds every whiteout case"

# Reference 2: podman export agrees with the tar reference on the set of paths.
exported_paths "$FIXTURE_DOCKER_ARCHIVE" "$TEST_TMP/fixture.export"
cut -f1 "$TEST_TMP/fixture.ref" | "${LISTING[@]}" tar /dev/stdin "${excludes_runtime[@]}" \
  >"$TEST_TMP/fixture.ref-paths"
check_same_files "podman export agrees with the tar reference (paths)" \
  "$TEST_TMP/fixture.ref-paths" "$TEST_TMP/fixture.export"

# pith ls of the fixture in each transport.
compare_ls_with_reference "ls docker-archive: fixture" \
  "docker-archive:$FIXTURE_DOCKER_ARCHIVE" "$TEST_TMP/fixture.ref"
compare_ls_with_reference "ls oci-archive: fixture (gzip layers)" \
  "oci-archive:$FIXTURE_OCI_ARCHIVE" "$TEST_TMP/fixture.ref"
compare_ls_with_reference "ls oci: fixture" "oci:$FIXTURE_OCI_DIR" "$TEST_TMP/fixture.ref"
skopeo copy -q --dest-compress-format zstd "docker-archive:$FIXTURE_DOCKER_ARCHIVE" "oci:$TEST_TMP/zstd:latest"
compare_ls_with_reference "ls oci: fixture with zstd layers (made by skopeo)" \
  "oci:$TEST_TMP/zstd:latest" "$TEST_TMP/fixture.ref"
compare_ls_with_reference "ls bare path (docker-archive detected)" \
  "$FIXTURE_DOCKER_ARCHIVE" "$TEST_TMP/fixture.ref"
if pith_listing "docker-archive:$FIXTURE_DOCKER_ARCHIVE" "$TEST_TMP/fixture.paths" --paths \
  "${excludes_runtime[@]}" >/dev/null 2>&1; then
  check_same_files "ls paths equal podman export paths" \
    "$TEST_TMP/fixture.export" "$TEST_TMP/fixture.paths"
else
  fail "ls paths equal podman export paths" "pith ls failed: $(pith_stderr)"
fi

# Single layers, as stored (whiteout markers included).
compare_each_layer "fixture" "$FIXTURE_DOCKER_ARCHIVE"

# Corpus images: dive's legacy-layout image (14 layers, file and directory whiteouts, hard
# links) and Docker 25's hybrid layout. Their directories' parents are not always in the same
# layer, so directory mtimes are left out for them.
for corpus_image in dive/test-docker-image.tar \
  go-containerregistry/pkg/v1/tarball/testdata/hello-world-v25.tar; do
  reference_listing "$PITH_CORPUS/$corpus_image" "$TEST_TMP/corpus.ref" --no-dir-mtime
  compare_ls_with_reference "ls $corpus_image" "$PITH_CORPUS/$corpus_image" \
    "$TEST_TMP/corpus.ref" --no-dir-mtime
done
compare_each_layer "dive" "$PITH_CORPUS/dive/test-docker-image.tar" --no-dir-mtime

# rootfs: a rootfs tarball is one layer.
alpine=$(alpine_minirootfs)
squashed_listing "$TEST_TMP/alpine.ref" "$alpine"
compare_ls_with_reference "ls dir: rootfs tarball (Alpine minirootfs)" "rootfs:$alpine" "$TEST_TMP/alpine.ref"

# --platform picks one image of stereoscope's two-platform index; the reference layers come
# from skopeo's copy of that platform.
multi="$PITH_CORPUS/stereoscope/pkg/image/oci/testdata/multiplatform_oci_dir"
for arch in amd64 arm64; do
  skopeo copy -q --override-os linux --override-arch "$arch" "oci:$multi:latest" "oci:$TEST_TMP/multi-$arch:latest"
  mapfile -t layers < <(oci_layout_layers "$TEST_TMP/multi-$arch")
  squashed_listing "$TEST_TMP/multi-$arch.ref" "${layers[@]}" -- --no-dir-mtime
  compare_ls_with_reference "ls --platform linux/$arch (multi-platform index)" "oci:$multi:latest" \
    "$TEST_TMP/multi-$arch.ref" --platform "linux/$arch" -- --no-dir-mtime
done

# Upstream (dive/expected/export_test.snap) counts 415,1,4,3,3,3,3,4,2,2,4,2,3,2 entries.
dive_counts=()
for i in $(seq 0 13); do
  dive_counts+=("$("$PITH" ls "$PITH_CORPUS/dive/test-docker-image.tar" --layer "$i" --json 2>&1 |
    jq length 2>&1)")
done
check_equal "dive: entries per layer as upstream counts them" \
  "415 1 4 3 3 3 3 4 2 2 4 2 3 2" "${dive_counts[*]}"

finish ls_vs_tar
