#!/usr/bin/env bash
# Tests the tests: validate_oci.py (the independent OCI layout checker the other integration
# tests rely on) must accept layouts skopeo and podman write, reject each kind of damage, and
# report the corpus layouts that really break the image-spec schemas (and only those).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# expect_invalid NAME DIR PATTERN: the validator rejects DIR and says PATTERN.
expect_invalid() {
  local out
  if out=$(validate_oci_layout "$2" 2>&1); then
    fail "$1" "validate_oci.py accepted a damaged layout"
  elif grep -q -- "$3" <<<"$out"; then
    pass "$1"
  else
    fail "$1" "rejected, but without '$3':" "$out"
  fi
}

# rewrite_blob LAYOUT DIGEST JQ_FILTER: replaces a JSON blob's content in place (digest kept).
rewrite_blob() {
  local path="$1/blobs/sha256/${2#sha256:}"
  jq -c "$3" "$path" >"$path.new"
  chmod u+w "$path"
  mv "$path.new" "$path"
}

fixture_images
work="$TEST_TMP/v"
mkdir -p "$work"

check "podman oci-dir fixture validates" validate_oci_layout "$FIXTURE_OCI_DIR"
skopeo copy -q "docker-archive:$FIXTURE_DOCKER_ARCHIVE" "oci:$work/good:latest"
check "skopeo gzip copy validates" validate_oci_layout "$work/good"
skopeo copy -q --dest-compress-format zstd "docker-archive:$FIXTURE_DOCKER_ARCHIVE" "oci:$work/zstd:latest"
check "skopeo zstd copy validates (zstd layers checked against diff_ids)" validate_oci_layout "$work/zstd"
check "stereoscope multi-platform layout validates" \
  validate_oci_layout "$PITH_CORPUS/stereoscope/pkg/image/oci/testdata/multiplatform_oci_dir"

manifest=$(jq -r '.manifests[0].digest' "$work/good/index.json")
config=$(jq -r '.config.digest' "$work/good/blobs/sha256/${manifest#sha256:}")
layer=$(jq -r '.layers[0].digest' "$work/good/blobs/sha256/${manifest#sha256:}")

cp -a "$work/good" "$work/bad-config"
rewrite_blob "$work/bad-config" "$config" '.architecture = 5'
expect_invalid "a changed config blob is caught by its digest" "$work/bad-config" "has sha256"
expect_invalid "a config breaking the schema is caught" "$work/bad-config" "architecture: 5 is not of type 'string'"

cp -a "$work/good" "$work/bad-index"
jq -c '.manifests[0].mediaType = "not a media type"' "$work/good/index.json" >"$work/bad-index/index.json"
expect_invalid "index.json breaking the schema is caught" "$work/bad-index" "does not match"

cp -a "$work/good" "$work/missing"
rm "$work/missing/blobs/sha256/${layer#sha256:}"
expect_invalid "a missing layer is caught" "$work/missing" "is missing"

cp -a "$work/good" "$work/diffid"
rewrite_blob "$work/diffid" "$config" ".rootfs.diff_ids[0] = \"sha256:$(printf '0%.0s' {1..64})\""
expect_invalid "a wrong diff_id is caught" "$work/diffid" "!= diff_id"

cp -a "$work/good" "$work/truncated"
chmod u+w "$work/truncated/blobs/sha256/${layer#sha256:}"
truncate -s -1 "$work/truncated/blobs/sha256/${layer#sha256:}"
expect_invalid "a truncated layer is caught by its size" "$work/truncated" "has size"

# The corpus as it is: regclient's testrepo has two pre-1.1 artifacts whose config is "{}"
# under the image config media type (the schema requires architecture, os and rootfs);
# Docker 25's hello-world archive writes "manifests": null; one go-containerregistry layout
# lacks a blob on purpose. Nothing else in these layouts may be reported.
regclient_problems=$(validate_oci_layout "$PITH_CORPUS/regclient/testdata/testrepo" 2>&1 |
  grep -o 'manifest sha256:[0-9a-f]*.*' | sed 's/ config: config-schema.json: (root): / /' | sort -u | tr '\n' ';') || true
check_equal "regclient testrepo: only the two {} artifact configs break the schema" \
  "manifest sha256:43089316cfee 'architecture' is a required property;manifest sha256:43089316cfee 'os' is a required property;manifest sha256:43089316cfee 'rootfs' is a required property;manifest sha256:d91043439162 'architecture' is a required property;manifest sha256:d91043439162 'os' is a required property;manifest sha256:d91043439162 'rootfs' is a required property;" \
  "$regclient_problems"
mkdir -p "$work/v25"
tar -xf "$PITH_CORPUS/go-containerregistry/pkg/v1/tarball/testdata/hello-world-v25.tar" -C "$work/v25"
expect_invalid "hello-world-v25.tar: manifests null breaks the index schema" "$work/v25" "None is not of type 'array'"
expect_invalid "test_gc_image_unknown_mediatype: its missing blob is reported" \
  "$PITH_CORPUS/go-containerregistry/pkg/v1/layout/testdata/test_gc_image_unknown_mediatype" "is missing"

finish validate_oci
