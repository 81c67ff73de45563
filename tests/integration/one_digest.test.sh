#!/usr/bin/env bash
# Integration test: one image, one digest, read by every tool (issue: pith wrote images other
# tools rejected or described differently, and said it had succeeded). Each case below failed
# before: a Docker v2s2 image copied into an OCI layout (skopeo, podman, umoci refused it); four
# digests for one docker-archive; skopeo's dir: read as a root filesystem; a root filesystem of
# arm64 files labelled amd64; --compress ignored where it could not be honoured; unknown
# transports reported as missing files. Judged by skopeo, umoci and podman.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_pith
command -v docker-registry >/dev/null || { skip one_digest "docker-registry is not installed"; finish one_digest; }

# podman names an image pulled from oci:PATH after PATH, which must then be lowercase.
W=/tmp/pith-one-digest-$$
mkdir -p "$W"
on_exit_run "rm -rf $W"
# A static program, so that the image runs as built.
printf '#include <stdio.h>\nint main(void) { puts("one digest"); return 0; }\n' >"$W/hello.c"
gcc -static -O2 -o "$W/hello" "$W/hello.c"

# digest_of_print OUTPUT: the digest pith printed for an output ("  -> REF sha256:..." of
# build, "Copied ... to ...: sha256:..." of copy).
build_digest() { sed -n "s|^  -> $1 \\(sha256:[0-9a-f]*\\)\$|\\1|p"; }
copy_digest() { sed -n 's/^Copied .*: \(sha256:[0-9a-f]*\) (.*/\1/p'; }
skopeo_digest() { skopeo inspect "$@" | jq -r .Digest; }
pith_digest() { "$PITH" inspect --json "$1" | jq -r .digest; }

# ---------------------------------------------------------------------------------------
echo "--- a docker-archive: the digest pith build prints is the one everyone reports"
out=$("$PITH" build --entrypoint "$W/hello" -o "docker-archive:$W/r1.tar:localhost/hello:1" 2>&1)
printed=$(build_digest "docker-archive:$W/r1.tar:localhost/hello:1" <<<"$out")
check "build prints a digest for the docker-archive" test -n "$printed"
check_equal "docker-archive: skopeo inspect reports the printed digest" \
  "$printed" "$(skopeo_digest "docker-archive:$W/r1.tar")"
check_equal "docker-archive: pith inspect reports the printed digest" "$printed" "$(pith_digest "$W/r1.tar")"
ipodman load -q -i "$W/r1.tar" >/dev/null 2>&1
check_equal "docker-archive: podman load reports the printed digest" \
  "$printed" "$(ipodman images --digests --format '{{.Digest}}' localhost/hello:1)"
check_equal "docker-archive: podman runs it" "one digest" "$(ipodman run --rm localhost/hello:1 2>&1)"
check_equal "docker-archive: as skopeo writes it (no OCI layout beside manifest.json)" \
  "$(tar -tf "$W/r1.tar" | grep -c -E '^(index.json|oci-layout|blobs/)' || true)" 0

out=$("$PITH" copy "$W/r1.tar" "docker-archive:$W/o.tar:localhost/hello:2")
check_equal "copy to docker-archive: pith inspect gives back the printed digest" \
  "$(copy_digest <<<"$out")" "$(pith_digest "$W/o.tar")"
expect_error "docker-archive: --compress gzip cannot be honoured" "cannot be honoured" \
  copy --compress gzip "$W/r1.tar" "docker-archive:$W/gz.tar"
check "docker-archive: nothing written after the refusal" test ! -e "$W/gz.tar"

# ---------------------------------------------------------------------------------------
echo "--- a Docker v2s2 image from a registry into an OCI layout"
R=$(free_port)
start_registry reg "$R"
skopeo copy -q --dest-tls-verify=false "docker-archive:$W/r1.tar" "docker://127.0.0.1:$R/hello:1"
check_equal "the registry holds a Docker v2s2 manifest (made by skopeo)" \
  "application/vnd.docker.distribution.manifest.v2+json" \
  "$(skopeo inspect --raw --tls-verify=false "docker://127.0.0.1:$R/hello:1" | jq -r .mediaType)"
out=$("$PITH" copy --src-tls-verify=false "docker://127.0.0.1:$R/hello:1" "oci:$W/layout:1")
printed=$(copy_digest <<<"$out")
check_equal "oci: the manifest is OCI" "application/vnd.oci.image.manifest.v1+json" \
  "$(jq -r '.manifests[0].mediaType' "$W/layout/index.json")"
check_equal "oci: skopeo inspect oci:DIR:1 reports the printed digest" "$printed" "$(skopeo_digest "oci:$W/layout:1")"
check_equal "oci: the config is kept byte for byte (image ID)" \
  "$(skopeo inspect --tls-verify=false --raw "docker://127.0.0.1:$R/hello:1" | jq -r .config.digest)" \
  "$(skopeo inspect --raw "oci:$W/layout:1" | jq -r .config.digest)"
check "oci: umoci unpacks it" umoci unpack --image "$W/layout:1" "$W/bundle"
check_equal "oci: podman pulls and runs it" "one digest" "$(ipodman run --rm "oci:$W/layout:1" 2>&1 | tail -n 1)"
check "oci: the layout validates against the image-spec schemas" validate_oci_layout "$W/layout"
expect_error "--preserve-digests refuses the conversion" "--preserve-digests" \
  copy --preserve-digests --src-tls-verify=false "docker://127.0.0.1:$R/hello:1" "oci:$W/kept:1"
check "--preserve-digests: nothing written" test ! -e "$W/kept"
out=$("$PITH" copy --preserve-digests --src-tls-verify=false "docker://127.0.0.1:$R/hello:1" "dir:$W/same")
check_equal "--preserve-digests into dir: keeps the registry's digest" \
  "$(skopeo inspect --tls-verify=false "docker://127.0.0.1:$R/hello:1" | jq -r .Digest)" "$(copy_digest <<<"$out")"

# ---------------------------------------------------------------------------------------
echo "--- compression as skopeo does it"
"$PITH" copy -q "$W/r1.tar" "oci:$W/gz:1"
check_equal "uncompressed layers are gzipped for oci:" "application/vnd.oci.image.layer.v1.tar+gzip" \
  "$(skopeo inspect --raw "oci:$W/gz:1" | jq -r '.layers[0].mediaType')"
layer=$(skopeo inspect --raw "oci:$W/gz:1" | jq -r '.layers[0].digest' | cut -d: -f2)
check "the gzip layer is gzip (gzip -t)" gzip -t "$W/gz/blobs/sha256/$layer"
"$PITH" copy -q --compress none "$W/r1.tar" "oci:$W/plain:1"
check_equal "--compress none keeps them" "application/vnd.oci.image.layer.v1.tar" \
  "$(skopeo inspect --raw "oci:$W/plain:1" | jq -r '.layers[0].mediaType')"

# ---------------------------------------------------------------------------------------
echo "--- dir: is skopeo's directory transport"
skopeo copy -q "oci:$W/gz:1" "dir:$W/sk"
check_equal "dir: (skopeo's copy): pith inspect reports skopeo's digest" \
  "$(skopeo_digest "dir:$W/sk")" "$(pith_digest "dir:$W/sk")"
check_equal "dir: (skopeo's copy) as a bare path: the same image" \
  "$(skopeo_digest "dir:$W/sk")" "$(pith_digest "$W/sk")"
check_equal "dir: (skopeo's copy): pith ls lists the program (at its absolute host path)" "$W/hello" \
  "$("$PITH" ls "dir:$W/sk" | awk '{print $NF}' | grep -x "$W/hello" || true)"
out=$("$PITH" copy "oci:$W/gz:1" "dir:$W/pd")
check_equal "dir: written by pith: skopeo inspect reports the printed digest" \
  "$(copy_digest <<<"$out")" "$(skopeo_digest "dir:$W/pd")"
check "dir: written by pith: skopeo copies it to an OCI layout" skopeo copy -q "dir:$W/pd" "oci:$W/fromdir:1"
mkdir -p "$W/busy" && touch "$W/busy/keep"
expect_error "dir: a non-empty directory that is no dir: image is refused" "is not a dir: image" \
  copy "oci:$W/gz:1" "dir:$W/busy"
check "dir: the refused directory is untouched" test -e "$W/busy/keep"

# ---------------------------------------------------------------------------------------
echo "--- the platform is the files' platform"
mkdir -p "$W/arm/bin"
printf 'package main\nimport "fmt"\nfunc main() { fmt.Println("arm64") }\n' >"$W/arm.go"
if GOARCH=arm64 CGO_ENABLED=0 GOCACHE=$TEST_TMP/gocache go build -o "$W/arm/bin/hello" "$W/arm.go" 2>"$TEST_TMP/go.log"; then
  "$PITH" copy -q "rootfs:$W/arm" "oci:$W/arm-img:1"
  check_equal "rootfs: of arm64 files is labelled arm64 (skopeo)" "linux/arm64" \
    "$(skopeo inspect "oci:$W/arm-img:1" | jq -r '.Os + "/" + .Architecture')"
  expect_error "rootfs: --platform linux/amd64 of arm64 files is refused" "built for linux/arm64" \
    copy --platform linux/amd64 "rootfs:$W/arm" "oci:$W/arm-wrong:1"
else
  fail "go build for arm64" "$(tail -n 5 "$TEST_TMP/go.log")"
fi
expect_error "build: --platform linux/arm64 of an x86-64 program is refused" "linux/amd64 program" \
  build --platform linux/arm64 --entrypoint "$W/hello" -o "oci:$W/p1:1"
expect_error "build: --platform windows/amd64 is refused" "linux/amd64 program" \
  build --platform windows/amd64 --entrypoint "$W/hello" -o "oci:$W/p2:1"

# ---------------------------------------------------------------------------------------
echo "--- choices and names"
expect_error "unknown transport foo:bar" 'unknown transport "foo"' inspect foo:bar
expect_error "unknown transport bogus://x" 'unknown transport "bogus"' inspect bogus://x
expect_error "unknown transport as a destination" 'unknown transport "bogus"' copy "$W/r1.tar" bogus:x
"$PITH" copy -q "$W/r1.tar" "oci:$W/two:a"
"$PITH" copy -q "rootfs:$W/arm" "oci:$W/two:b" 2>/dev/null || "$PITH" copy -q "rootfs:$PITH_SRC/examples" "oci:$W/two:b"
expect_error "an OCI layout of two images read without a tag lists them" "tags: a, b" inspect "oci:$W/two"

finish one_digest
