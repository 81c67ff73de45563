#!/usr/bin/env bash
# Every image in the shared corpus reads, and the facts its upstream project asserts hold.
source "$(dirname "$0")/lib.sh"

ggcr=$C/go-containerregistry/pkg/v1
inspect_field() { "$PITH" inspect --json "${@:2}" | jq -r "$1"; }

# dive: 14 layers, and the entry count of each layer as dive's export snapshot lists them.
dive=$C/dive/test-docker-image.tar
expect_eq "dive layers" 14 "$(inspect_field '.layers | length' "$dive")"
counts=""
for i in $(seq 0 13); do counts+="$("$PITH" ls --json --layer "$i" "$dive" | jq length),"; done
expect_eq "dive per-layer entries" "415,1,4,3,3,3,3,4,2,2,4,2,3,2," "$counts"

# A gzip- or zstd-compressed docker-archive reads as the plain one.
gzip -c "$dive" >"$tmp/dive.tar.gz"
zstd -q -c "$dive" >"$tmp/dive.tar.zst"
expect_eq "gzip-compressed docker-archive" "$("$PITH" ls "$dive" | md5sum)" "$("$PITH" ls "$tmp/dive.tar.gz" | md5sum)"
expect_eq "zstd-compressed docker-archive" "$(inspect_field .digest "$dive")" "$(inspect_field .digest "docker-archive:$tmp/dive.tar.zst")"

# dive's OCI archives: linux/arm64, one README.md layer, the same diff_id in every compression.
diff_ids=""
for c in gzip zstd uncompressed; do
  f=$C/dive/test-oci-$c-image.tar
  expect_eq "dive oci-$c platform" linux/arm64 "$(inspect_field .platform "$f")"
  expect_eq "dive oci-$c files" /README.md "$("$PITH" ls --json "$f" | jq -r '.[].path')"
  diff_ids+="$(inspect_field '.layers[0].diff_id' "$f") "
done
set -- $diff_ids
expect_eq "dive diff_ids gzip = zstd" "$1" "$2"
expect_eq "dive diff_ids gzip = uncompressed" "$1" "$3"

# dive's plain tars are not images.
for c in gzip zstd uncompressed estargz; do
  expect_error "dive plain $c tar" "$PITH" inspect "$C/dive/test-$c-image.tar"
done

# go-containerregistry tarball fixtures.
expect_eq "test_image_1 layers" 1 "$(inspect_field '.layers | length' "$ggcr/tarball/testdata/test_image_1.tar")"
expect_eq "test_image_1 history" 1 "$(inspect_field '[.layers[].created_by] | length' "$ggcr/tarball/testdata/test_image_1.tar")"
expect_error "bundle without a tag" "$PITH" inspect "$ggcr/tarball/testdata/test_bundle.tar"
for name in test_image_1 test_image_2 test_image_1:latest test_image_2:latest \
  index.docker.io/library/test_image_1:latest; do
  expect_ok "bundle by tag $name" "$PITH" ls "docker-archive:$ggcr/tarball/testdata/test_bundle.tar:$name"
done
expect_error "no_manifest.tar" "$PITH" inspect "$ggcr/tarball/testdata/no_manifest.tar"
expect_error "null_manifest.tar" "$PITH" inspect "$ggcr/tarball/testdata/null_manifest.tar"
expect_error "content.tar (a bare layer)" "$PITH" inspect "$ggcr/tarball/testdata/content.tar"
link=docker-archive:$ggcr/tarball/testdata/test_link.tar:bazel/v1/tarball:test_image_3
expect_eq "test_link diff_id" \
  "true" "$(inspect_field '[.layers[].diff_id] | index("sha256:8897395fd26dc44ad0e2a834335b33198cb41ac4d98dfddf58eced3853fa7b17") != null' "$link")"
expect_ok "test_link layers read (symlinked layer.tar)" "$PITH" ls "$link"
expect_eq "test_link symlinked layer not empty" true \
  "$("$PITH" ls --json "$link" | jq 'length > 0')"
expect_ok "hello-world-v25 (Docker 25 hybrid)" "$PITH" ls "$ggcr/tarball/testdata/hello-world-v25.tar"
expect_eq "hello-world-v25 files" /hello "$("$PITH" ls --json "$ggcr/tarball/testdata/hello-world-v25.tar" | jq -r '.[].path')"

# go-containerregistry mutate fixtures: after squashing no foo may remain; foo.txt was overwritten.
for f in whiteout_image whiteout_dir; do
  expect_eq "$f: no foo left" "" "$("$PITH" ls --json "$ggcr/mutate/testdata/$f.tar" | jq -r '.[].path | select(test("(^|/)foo($|/)"))')"
done
expect_eq "overwritten_file: one foo.txt" 1 \
  "$("$PITH" ls --json "$ggcr/mutate/testdata/overwritten_file.tar" | jq '[.[] | select(.path == "/foo.txt")] | length')"

# stereoscope: platform selection in a multi-platform layout; a lone image is taken as is.
multi=oci:$C/stereoscope/pkg/image/oci/testdata/multiplatform_oci_dir
expect_eq "stereoscope amd64" sha256:e7c26a4b4d156fd9947ee82295b7b78acf7aa54b93b8f3e4b9f608179ffb20e8 \
  "$(inspect_field .digest "$multi" --platform linux/amd64)"
expect_eq "stereoscope arm64" sha256:5ed07065bcbc6c52e3ad28526557d7b6833613fc79257b1a786de85e37c03b05 \
  "$(inspect_field .digest "$multi" --platform linux/arm64)"
expect_error "stereoscope ppc64le" "$PITH" inspect --platform linux/ppc64le "$multi"
grep -q 'linux/amd64' "$tmp/err" && grep -q 'linux/arm64' "$tmp/err" && pass ||
  fail "ppc64le error lists the available platforms: $(cat "$tmp/err")"
for p in linux/amd64 linux/arm64; do
  expect_eq "stereoscope valid_oci_dir $p" sha256:c1ed04a3da941a5dd09b58b16c37f065557863d382ef97995ddac885a8452ebb \
    "$(inspect_field .digest "oci:$C/stereoscope/pkg/image/oci/testdata/valid_oci_dir" --platform $p)"
done
expect_ok "stereoscope valid-oci.tar" "$PITH" ls "$C/stereoscope/pkg/image/oci/testdata/valid-oci.tar"

# containers-image: one layer, one file.
expect_eq "almostempty files" 1 \
  "$("$PITH" ls --json "$C/containers-image/docker/archive/fixtures/almostempty.tar" | jq '[.[] | select(.type == "file")] | length')"

# oras hello-world: tag latest resolves to the list; amd64 manifest, config and layer sizes.
for f in hello-world hello-world-prefixed-path; do
  h=oci-archive:$C/oras-go/content/oci/testdata/$f.tar:latest
  expect_eq "$f manifest" sha256:f54a58bc1aac5ea1a25d796ae155dc228b3f0e11d046ae276b39c4bf2f13d8c4 \
    "$(inspect_field .digest "$h" --platform linux/amd64)"
  expect_eq "$f config" sha256:feb5d9fea6a5e9606aa995e879d862b825965ba48de054caab5ef356dc6b3412 \
    "$(inspect_field .config_digest "$h" --platform linux/amd64)"
  expect_eq "$f layer" "sha256:2db29710123e3e53a794f2694094b9b4338aa9ee5c40b930cb8063a1be392c54 2479" \
    "$(inspect_field '.layers[0] | "\(.digest) \(.size)"' "$h" --platform linux/amd64)"
  expect_eq "$f compressed size (config 1469 + layer 2479)" 3948 \
    "$(inspect_field .size.compressed "$h" --platform linux/amd64)"
done

# regclient: tags v1, v2, v3 read; a multi-platform index resolves.
for t in v1 v2 v3; do
  expect_ok "regclient $t" "$PITH" inspect --platform linux/amd64 "oci:$C/regclient/testdata/testrepo:$t"
done
expect_error "regclient unknown tag" "$PITH" inspect "oci:$C/regclient/testdata/testrepo:v9"

# A layout of several images read without a tag: refused with the choices, as skopeo refuses
# it ("more than one image in oci, choose an image"); with a tag, that image.
several=$C/go-containerregistry/pkg/v1/layout/testdata/test_index
if command -v skopeo >/dev/null; then
  skopeo inspect "oci:$several" >/dev/null 2>"$tmp/skopeo.err" && fail "skopeo read it" ||
    expect_eq "skopeo refuses a layout of several images" "1" \
      "$(grep -c 'more than one image in oci, choose an image' "$tmp/skopeo.err")"
fi
expect_error "several images, no tag" "$PITH" ls "oci:$several"
expect_eq "the choices" "pith: error: $several: index.json lists 4 images; name one by its tag (tags: 1, 2, 3, 4)" \
  "$(cat "$tmp/err")"
expect_ok "several images, a tag" "$PITH" inspect "oci:$several:1"

# A layout may be created below folders that do not exist yet (as skopeo does).
expect_ok "oci: below missing folders" "$PITH" copy "$dive" "oci:$tmp/new/deeper/layout:t"
expect_eq "oci: below missing folders reads back (the digest copy printed)" \
  "$(sed -n 's/^Copied .*: \(sha256:[0-9a-f]*\) (.*/\1/p' "$tmp/out")" "$(inspect_field .digest "oci:$tmp/new/deeper/layout:t")"

finish
