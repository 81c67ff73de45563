#!/usr/bin/env bash
# Integration test: the reader matrix. Every kind of source pith reads, copied by `pith copy` to
# every destination it writes, then read back by every tool here that reads that destination:
#   sources       registry images with Docker v2s2 and with OCI manifests, an OCI index and a
#                 Docker manifest list (linux/amd64 + linux/arm64), zstd layers, a legacy
#                 `docker save` archive (Docker 20.10), a Docker 25 hybrid archive, skopeo's
#                 `dir:`, and pith build's own output;
#   destinations  oci:, oci-archive:, docker-archive:, dir: (skopeo's directory transport),
#                 docker://, docker-daemon:, containers-storage: (and --all of each index);
#   readers       skopeo (inspect, copy), umoci (unpack), podman (load / pull, run), Docker
#                 20.10 (load / pull, run), buildah (from), containerd (ctr import / pull, run),
#                 pith inspect, and the image-spec schemas (validate_oci.py).
# In every cell where the reader reads that format it must read pith's output, report the
# digest `pith copy` printed, and run the image where it runs images (it prints K_LINE); a
# cell no destination can hold is a one-line `pith: error:` and nothing written. Every cell is
# reported; the script fails at the end if any failed.
# Environment, besides lib.sh's:
#   PITH_MATRIX_RESULTS  where to write the results (TSV); tests/integration/matrix/table.py turns
#                        them into docs/matrix.md
#   PITH_MATRIX_SOURCES  a few of the sources only ("index list"), when working on them
#   PITH_MATRIX_WRITER=skopeo  skopeo writes every cell instead of pith: checks the checks (skopeo
#                        1.9 here fails docker-daemon: writes, and its docker-archive: digest is
#                        not the one readers report)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
MATRIX_DIR="$INTEGRATION_DIR/matrix"

K_LINE="pith matrix: hello from the test image"   # what the test program prints

# ---------------------------------------------------------------------------------------
# Fixtures: the test program and the images made from it without pith (cached).
#   layout/         OCI layout (podman build FROM scratch, skopeo copy): tag amd64 = /hello and
#                   /etc/matrix.txt in two layers, CMD /hello; tag arm64 = the arm64
#                   hello-world program of the corpus (never run here)
#   docker25.tar    Docker 25's hybrid `docker save` form of layout:amd64 (matrix/docker25.py)
#   skopeo-dir/     `skopeo copy oci:layout:amd64 dir:skopeo-dir`
#   docker-save.tar `docker save` of Docker 20.10 (legacy form) of layout:amd64
HELLO_ARM64_ARCHIVE=$PITH_CORPUS/go-containerregistry/pkg/v1/tarball/testdata/hello-world-v25.tar

build_matrix_fixture() {
  local out=$1 work="$TEST_TMP/matrix-fixture" layer arch
  local pm=(podman --root "$work/root" --runroot "$work/run" --tmpdir "$work/tmp" --storage-driver vfs)
  mkdir -p "$out" "$work/amd64/etc" "$work/arm64"
  gcc -Os -static -nostdlib -fno-asynchronous-unwind-tables -fno-pie -no-pie \
    -Wl,--build-id=none -s -o "$work/amd64/hello" "$MATRIX_DIR/hello.c"
  cp "$work/amd64/hello" "$out/hello"
  echo "matrix" >"$work/amd64/etc/matrix.txt"
  printf '%s\n' 'FROM scratch' 'COPY hello /hello' 'COPY etc/matrix.txt /etc/matrix.txt' \
    'CMD ["/hello"]' >"$work/amd64/Containerfile"
  # arm64: the program of the corpus' Docker 25 hello-world (arm64).
  tar -xf "$HELLO_ARM64_ARCHIVE" -C "$work/arm64"
  layer=$(jq -r '.[0].Layers[0]' "$work/arm64/manifest.json")
  tar -xf "$work/arm64/$layer" -C "$work/arm64" hello
  printf '%s\n' 'FROM scratch' 'COPY hello /hello' 'CMD ["/hello"]' >"$work/arm64/Containerfile"
  for arch in amd64 arm64; do
    env -u CONTAINER_HOST "${pm[@]}" build -q --pull=never --network none --platform "linux/$arch" \
      -t "localhost/matrix/$arch:1" "$work/$arch" >/dev/null
    skopeo copy -q "containers-storage:[vfs@$work/root+$work/run]localhost/matrix/$arch:1" \
      "oci:$out/layout:$arch"
  done
  env -u CONTAINER_HOST "${pm[@]}" rmi -af >/dev/null 2>&1 || true
  "$PYTHON" "$MATRIX_DIR/docker25.py" "$out/layout" amd64 localhost/matrix/docker25:1 \
    "$out/docker25.tar" >/dev/null
  skopeo copy -q "oci:$out/layout:amd64" "dir:$out/skopeo-dir"
  skopeo copy -q "oci:$out/layout:amd64" "docker-archive:$work/for-docker.tar:localhost/matrix/legacy:1"
  idocker load -q -i "$work/for-docker.tar" >/dev/null
  idocker save -o "$out/docker-save.tar" localhost/matrix/legacy:1
  idocker rmi -f localhost/matrix/legacy:1 >/dev/null
  rm -rf "$work"
}

matrix_cache_key() {
  {
    cat "$MATRIX_DIR/hello.c" "$MATRIX_DIR/docker25.py"
    declare -f build_matrix_fixture
    sha256sum <"$HELLO_ARM64_ARCHIVE"
    gcc --version | head -n 1
    podman --version
    skopeo --version
    idocker version --format '{{.Server.Version}}'
  } | sha256sum | cut -c1-16
}

# ---------------------------------------------------------------------------------------
# Sources: pushed by skopeo (and an index PUT by curl) to a registry of this run, the files of
# the fixture, and pith build's output.

# push_multi REPO FORMAT LIST_MEDIA_TYPE: layout:amd64 and layout:arm64 pushed by skopeo in
# FORMAT (v2s2 or oci), then an index of the two (linux/amd64 first) as REPO:1.
push_multi() {
  local repo=$1 format=$2 list_type=$3 arch entries="" f=$TEST_TMP/${1//\//-}
  for arch in amd64 arm64; do
    skopeo copy -q --format "$format" --dest-tls-verify=false "oci:$FIX/layout:$arch" \
      "docker://$REG/$repo:$arch"
    skopeo inspect --raw --tls-verify=false "docker://$REG/$repo:$arch" >"$f-$arch.json"
    entries+=$(jq -c --arg arch "$arch" --arg digest "sha256:$(sha256sum <"$f-$arch.json" | cut -c1-64)" \
      --argjson size "$(stat -c %s "$f-$arch.json")" \
      '{mediaType, digest: $digest, size: $size, platform: {architecture: $arch, os: "linux"}}' \
      "$f-$arch.json"),
  done
  jq -cn --arg t "$list_type" --argjson m "[${entries%,}]" '{schemaVersion: 2, mediaType: $t, manifests: $m}' \
    >"$f-index.json"
  curl -sSf -X PUT -H "Content-Type: $list_type" --data-binary "@$f-index.json" \
    "http://$REG/v2/$repo/manifests/1" >/dev/null
}

make_sources() {
  skopeo copy -q --format v2s2 --dest-tls-verify=false "oci:$FIX/layout:amd64" "docker://$REG/src/v2s2:1"
  skopeo copy -q --format oci --dest-tls-verify=false "oci:$FIX/layout:amd64" "docker://$REG/src/oci:1"
  skopeo copy -q --format oci --dest-compress-format zstd --dest-tls-verify=false \
    "oci:$FIX/layout:amd64" "docker://$REG/src/zstd:1"
  push_multi src/index oci application/vnd.oci.image.index.v1+json
  push_multi src/list v2s2 application/vnd.docker.distribution.manifest.list.v2+json
  mkdir -p "$TEST_TMP/build-root"
  cp "$FIX/hello" "$TEST_TMP/build-root/hello"
  (cd "$TEST_TMP" && "$PITH" build -q --from build-root --entrypoint /hello --no-ca-certs \
    -o "oci:$TEST_TMP/built:1")
}

# Every source: its reference, what the table calls it, and whether it is an index.
SOURCES=(v2s2 oci index list zstd docker-save docker25 skopeo-dir pith-build)
[ -z "${PITH_MATRIX_SOURCES:-}" ] || read -r -a SOURCES <<<"$PITH_MATRIX_SOURCES"   # a few, by hand
declare -A SRC_REF SRC_TITLE SRC_IS_INDEX
set_sources() {
  SRC_REF=(
    [v2s2]="docker://$REG/src/v2s2:1" [oci]="docker://$REG/src/oci:1"
    [index]="docker://$REG/src/index:1" [list]="docker://$REG/src/list:1"
    [zstd]="docker://$REG/src/zstd:1"
    [docker-save]="docker-archive:$FIX/docker-save.tar" [docker25]="docker-archive:$FIX/docker25.tar"
    [skopeo-dir]="dir:$FIX/skopeo-dir" [pith-build]="oci:$TEST_TMP/built:1")
  SRC_TITLE=(
    [v2s2]="registry, Docker v2s2 manifest" [oci]="registry, OCI manifest"
    [index]="registry, OCI index (amd64, arm64)" [list]="registry, Docker manifest list (amd64, arm64)"
    [zstd]="registry, OCI manifest, zstd layers"
    [docker-save]="docker save of Docker 20.10 (legacy archive)" [docker25]="docker save of Docker 25 (hybrid archive)"
    [skopeo-dir]="skopeo dir:" [pith-build]="pith build (oci:)")
  SRC_IS_INDEX=([index]=1 [list]=1)
}

# ---------------------------------------------------------------------------------------
# Cells: one result per (source, destination, reader), recorded in $RESULTS as
# SOURCE<TAB>DESTINATION<TAB>READER<TAB>ok|FAIL|refused|n/a<TAB>NOTE.
RESULTS="$TEST_TMP/matrix.tsv"
PROBLEMS=()   # what went wrong in the cell being checked

# expect WHAT EXPECTED ACTUAL
expect() {
  [ "$2" == "$3" ] || PROBLEMS+=("$1: expected ${2:-(nothing)}, got ${3:-(nothing)}")
}

# attempt WHAT COMMAND...: runs COMMAND, its output in OUT; a failure is a problem of the cell.
attempt() {
  local what=$1
  shift
  if OUT=$("$@" 2>&1); then return 0; fi
  PROBLEMS+=("$what failed: $(printf '%s\n' "$OUT" | grep -v '^[[:space:]]*$' | tail -n 2 | tr '\n' ' ' | cut -c1-300)")
  return 1
}

record() { printf '%s\t%s\t%s\t%s\t%s\n' "$CELL_SRC" "$CELL_DST" "$1" "$2" "${3:-}" >>"$RESULTS"; }

# cell_done READER: the cell passes when nothing went wrong.
cell_done() {
  local name="$CELL_SRC -> $CELL_DST: $1"
  if [ ${#PROBLEMS[@]} -eq 0 ]; then
    pass "$name"
    record "$1" ok
  else
    fail "$name" "${PROBLEMS[@]}"
    record "$1" FAIL "${PROBLEMS[0]}"
  fi
  PROBLEMS=()
}

# not_read READER WHY: a reader that does not read this format (nothing to check).
not_read() { record "$1" n/a "$2"; }

# expect_runs WHAT COMMAND...: the image's program prints K_LINE.
expect_runs() {
  local what=$1
  shift
  attempt "$what" "$@" && expect "$what: output" "$K_LINE" "$OUT"
}

# The digest a reader that resolves one platform reports: the linux/amd64 image of an index
# written with --all, else the image itself.
platform_digest() { if [ -n "$CELL_ALL" ]; then echo "$INSTANCE"; else echo "$PRINTED"; fi; }

TLS_OFF=--tls-verify=false

# --- Readers

# skopeo_flags REF: how skopeo reaches REF (plain HTTP; skopeo ignores DOCKER_HOST).
skopeo_flags() {
  case $1 in
    docker://*) echo "$TLS_OFF" ;;
    docker-daemon:*) echo "--daemon-host=$DOCKER_HOST" ;;
  esac
}

read_skopeo() {   # REF (skopeo's transport syntax)
  local ref=$1 flags all=()
  read -r -a flags <<<"$(skopeo_flags "$ref")"
  [ -n "$CELL_ALL" ] && all=(--all)
  if attempt "skopeo inspect" skopeo inspect "${flags[@]}" "$ref"; then
    expect "skopeo inspect: Digest" "$PRINTED" "$(jq -r .Digest <<<"$OUT")"
  fi
  attempt "skopeo copy" skopeo copy -q "${all[@]}" "${flags[@]/--/--src-}" "$ref" "oci:$TEST_TMP/readers/skopeo-$CELL:x"
  cell_done skopeo
}

read_umoci() {   # DIR TAG
  if [ -n "$CELL_ALL" ]; then
    not_read umoci "umoci 0.4.7 unpacks an image, not an index"
    return
  fi
  if attempt "umoci unpack" umoci unpack --image "$1:$2" "$TEST_TMP/readers/umoci-$CELL"; then
    expect_runs "the unpacked /hello" "$TEST_TMP/readers/umoci-$CELL/rootfs/hello"
  fi
  cell_done umoci
}

read_podman() {   # pull|load REF
  local how=$1 ref=$2 image tls=()
  [[ $ref == docker://* ]] && tls=("$TLS_OFF")
  if [ "$how" = load ]; then
    attempt "podman load" ipodman load -i "$ref" || { cell_done podman; return; }
    image=$(sed -n 's/^Loaded image[^:]*: //p' <<<"$OUT" | tail -n 1 | cut -d, -f1)
  else
    attempt "podman pull" ipodman pull -q "${tls[@]}" "$ref" || { cell_done podman; return; }
    image=$(tail -n 1 <<<"$OUT")
  fi
  if attempt "podman image inspect" ipodman image inspect "$image"; then
    expect "podman Digest" "$PRINTED" "$(jq -r '.[0].Digest' <<<"$OUT")"
    expect "podman Id" "$EXPECT_CONFIG" "sha256:$(jq -r '.[0].Id' <<<"$OUT")"
  fi
  expect_runs "podman run" ipodman run --rm --network none "$image"
  cell_done podman
  clean_store
}

# clean_store: podman's store emptied. It keeps one image per config (image ID): an image read
# again by a later cell or reader would report the digest it was first stored with.
clean_store() { ipodman rmi -af >/dev/null 2>&1; }

read_docker() {   # load FILE NAME | pull NAME | daemon NAME
  local how=$1 image=${3:-$2}
  case $how in
    load) attempt "docker load" idocker load -i "$2" || { cell_done docker; return; } ;;
    pull) attempt "docker pull" idocker pull -q "$image" || { cell_done docker; return; } ;;
  esac
  if attempt "docker image inspect" idocker image inspect "$image"; then
    expect "docker Id" "$EXPECT_CONFIG" "$(jq -r '.[0].Id' <<<"$OUT")"
    # Docker keeps one image per config, with a RepoDigests entry per repository it came from.
    if [ "$how" = pull ]; then
      expect "docker RepoDigests" "${image%:*}@$PRINTED" \
        "$(jq -r --arg r "${image%:*}" '.[0].RepoDigests[] | select(startswith($r + "@"))' <<<"$OUT")"
    fi
  fi
  expect_runs "docker run" idocker run --rm --network none "$image"
  cell_done docker
}

read_containerd() {   # import FILE NAME [own-manifest] | pull NAME
  local how=$1 image=${3:-$2}
  if [ "$how" = import ]; then
    attempt "ctr images import" ictr images import --base-name "${image%:*}" "$2" ||
      { cell_done containerd; return; }
  else
    attempt "ctr images pull" ictr images pull --plain-http "$image" || { cell_done containerd; return; }
  fi
  local listed
  listed=$(ictr images ls | awk -v n="$image" '$1 == n {print $3}')
  if [ "${4:-}" = own-manifest ]; then
    # A docker-archive holds no manifest: containerd makes its own (OCI descriptor field order,
    # uncompressed layer type), not the one skopeo and podman make (docs/matrix.md). What it
    # must keep is the config: the image ID.
    expect "ctr: the config of its manifest" "$EXPECT_CONFIG" \
      "$(ictr content get "$listed" 2>&1 | jq -r .config.digest 2>&1)"
  else
    expect "ctr images ls: digest" "$PRINTED" "$listed"
  fi
  expect_runs "ctr run" ictr run --rm "$image" "matrix-$CELL"
  cell_done containerd
}

read_buildah() {   # REF (buildah's syntax)
  local tls=()
  [[ $1 == docker://* ]] && tls=("$TLS_OFF")
  if attempt "buildah from" ibuildah from --name "matrix-$CELL" "${tls[@]}" "$1"; then
    expect "buildah FromImageDigest" "$(platform_digest)" \
      "$(ibuildah inspect --format '{{.FromImageDigest}}' "matrix-$CELL" 2>&1)"
    ibuildah rm "matrix-$CELL" >/dev/null 2>&1 || true
  fi
  cell_done buildah
  clean_store
}

read_pith() {   # REF
  local tls=()
  [[ $1 == docker://* ]] && tls=("$TLS_OFF")
  if attempt "pith inspect" "$PITH" inspect --json "${tls[@]}" "$1"; then
    expect "pith inspect: digest" "$(platform_digest)" "$(jq -r .digest <<<"$OUT")"
    expect "pith inspect: config_digest" "$EXPECT_CONFIG" "$(jq -r .config_digest <<<"$OUT")"
  fi
  cell_done "pith inspect"
}

# validate_layout DIR TAG: the schemas, blobs and diff_ids (validate_oci.py); OCI media types
# only (an OCI layout holds OCI manifests); TAG names the digest pith printed.
validate_layout() {
  attempt "validate_oci.py" validate_oci_layout "$1"
  attempt "OCI media types" "$PYTHON" "$MATRIX_DIR/oci_types.py" "$1"
  expect "index.json: $2" "$PRINTED" "$(jq -r --arg t "$2" \
    '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$1/index.json")"
}

ibuildah() {
  buildah --root "$IPODMAN_DIR/root" --runroot "$IPODMAN_DIR/run" --storage-driver "$IPODMAN_DRIVER" "$@"
}

# --- Destinations: where pith writes the cell's copy, and who reads it there.
DESTINATIONS=(oci oci-archive docker-archive dir docker docker-daemon containers-storage)
# Destinations that hold one image: --all of an index is refused there.
declare -A SINGLE_IMAGE=([docker-archive]=1 [docker-daemon]=1 [containers-storage]=1)

# dest_ref DEST: pith's reference for this cell's copy.
dest_ref() {
  case $1 in
    oci) echo "oci:$OUTS/c$CELL-oci:1" ;;
    oci-archive) echo "oci-archive:$OUTS/c$CELL.oci.tar:1" ;;
    docker-archive) echo "docker-archive:$OUTS/c$CELL.docker.tar:$NAME" ;;
    dir) echo "dir:$OUTS/c$CELL-dir" ;;
    docker) echo "docker://$REG/dst/c$CELL:1" ;;
    docker-daemon) echo "docker-daemon:$NAME" ;;
    containers-storage) echo "containers-storage:$NAME" ;;
  esac
}

# written DEST: does anything of this cell's copy exist at the destination?
written() {
  case $1 in
    oci | dir) [ -e "$OUTS/c$CELL-$1" ] ;;
    oci-archive) [ -e "$OUTS/c$CELL.oci.tar" ] ;;
    docker-archive) [ -e "$OUTS/c$CELL.docker.tar" ] ;;
    docker) curl -sf -o /dev/null "http://$REG/v2/dst/c$CELL/tags/list" ;;
    docker-daemon) idocker image inspect "$NAME" >/dev/null 2>&1 ;;
    containers-storage) ipodman image exists "$NAME" ;;
  esac
}

# The readers of each destination.
read_oci() {
  local dir=$OUTS/c$CELL-oci
  validate_layout "$dir" 1
  cell_done schemas
  read_skopeo "oci:$dir:1"
  read_umoci "$dir" 1
  read_podman pull "oci:$dir:1"
  not_read docker "Docker 20.10 reads no OCI layout"
  read_buildah "oci:$dir:1"
  not_read containerd "ctr imports archives, not directories"
  read_pith "oci:$dir:1"
}

read_oci_archive() {
  local file=$OUTS/c$CELL.oci.tar x=$TEST_TMP/readers/c$CELL-extracted
  mkdir -p "$x"
  attempt "tar -x" tar -xf "$file" -C "$x" && validate_layout "$x" 1
  cell_done schemas
  read_skopeo "oci-archive:$file:1"
  not_read umoci "umoci reads OCI layouts, not archives"
  read_podman load "$file"
  not_read docker "Docker 20.10 loads docker-archives only"
  read_buildah "oci-archive:$file:1"
  read_containerd import "$file" "$NAME"
  read_pith "oci-archive:$file:1"
}

read_docker_archive() {
  local file=$OUTS/c$CELL.docker.tar x=$TEST_TMP/readers/c$CELL-extracted
  mkdir -p "$x"
  if attempt "tar -x" tar -xf "$file" -C "$x" &&
    attempt "to_layout.py" "$PYTHON" "$MATRIX_DIR/to_layout.py" docker-archive "$x" "$x.layout"; then
    attempt "validate_oci.py" validate_oci_layout "$x.layout"
    expect "manifest.json: RepoTags" "$NAME" "$(jq -r '.[0].RepoTags[0]' "$x/manifest.json")"
    expect "manifest.json: Config" "$EXPECT_CONFIG" \
      "sha256:$(sha256sum <"$x/$(jq -r '.[0].Config' "$x/manifest.json")" | cut -c1-64)"
  fi
  cell_done schemas
  read_skopeo "docker-archive:$file"
  not_read umoci "umoci reads OCI layouts, not archives"
  read_podman load "$file"
  read_docker load "$file" "$NAME"
  read_buildah "docker-archive:$file"
  read_containerd import "$file" "$NAME" own-manifest
  read_pith "docker-archive:$file"
}

read_dir() {
  local dir=$OUTS/c$CELL-dir l=$TEST_TMP/readers/c$CELL-layout
  if attempt "to_layout.py" "$PYTHON" "$MATRIX_DIR/to_layout.py" dir "$dir" "$l"; then
    attempt "validate_oci.py" validate_oci_layout "$l"
    expect "version" "Directory Transport Version: 1.1" "$(cat "$dir/version" 2>&1)"
    expect "sha256 of manifest.json" "$PRINTED" "sha256:$(sha256sum <"$dir/manifest.json" | cut -c1-64)"
  fi
  cell_done schemas
  read_skopeo "dir:$dir"
  not_read umoci "umoci reads OCI layouts"
  read_podman pull "dir:$dir"
  not_read docker "Docker reads no dir:"
  read_buildah "dir:$dir"
  not_read containerd "containerd reads no dir:"
  read_pith "dir:$dir"
}

read_registry() {
  local ref=$REG/dst/c$CELL:1 l=$TEST_TMP/readers/c$CELL-layout
  if attempt "to_layout.py" "$PYTHON" "$MATRIX_DIR/to_layout.py" registry "$REG" "dst/c$CELL" 1 "$l"; then
    attempt "validate_oci.py" validate_oci_layout "$l"
    expect "the registry's digest for :1" "$PRINTED" "$(jq -r '.manifests[0].digest' "$l/index.json")"
  fi
  cell_done schemas
  read_skopeo "docker://$ref"
  not_read umoci "umoci reads OCI layouts"
  read_podman pull "docker://$ref"
  read_docker pull "$ref"
  read_buildah "docker://$ref"
  read_containerd pull "$ref"
  read_pith "docker://$ref"
}

read_docker_daemon() {
  not_read schemas "the engine keeps no manifest"
  read_skopeo "docker-daemon:$NAME"
  not_read umoci "umoci reads OCI layouts"
  not_read podman "podman's own store is containers-storage:"
  read_docker daemon "$NAME"
  not_read buildah "buildah's own store is containers-storage:"
  not_read containerd "Docker 20.10 keeps its images outside containerd"
  read_pith "docker-daemon:$NAME"
}

read_containers_storage() {
  not_read schemas "podman's store is read through skopeo and podman"
  read_skopeo "containers-storage:[$IPODMAN_DRIVER@$IPODMAN_DIR/root+$IPODMAN_DIR/run]$NAME"
  not_read umoci "umoci reads OCI layouts"
  if attempt "podman image inspect" ipodman image inspect "$NAME"; then
    expect "podman Digest" "$PRINTED" "$(jq -r '.[0].Digest' <<<"$OUT")"
    expect "podman Id" "$EXPECT_CONFIG" "sha256:$(jq -r '.[0].Id' <<<"$OUT")"
  fi
  expect_runs "podman run" ipodman run --rm --network none "$NAME"
  cell_done podman
  not_read docker "Docker reads no containers-storage:"
  not_read containerd "containerd reads no containers-storage:"
  read_pith "containers-storage:$NAME"
  read_buildah "$NAME"   # the last: it empties podman's store
}

READERS=(schemas skopeo umoci podman docker buildah containerd "pith inspect")
# Who does not read each destination (the read_* functions above say why).
declare -A NOT_READERS=([oci]="docker containerd" [oci-archive]="umoci docker" [docker-archive]=umoci
  [dir]="umoci docker containerd" [docker]=umoci
  [docker-daemon]="schemas umoci podman buildah containerd"
  [containers-storage]="schemas umoci docker containerd")

# copy_cell SRC DEST [--all]: pith copy, then every reader of DEST (or the refusal).
copy_cell() {
  local src=$1 dest=$2 all=${3:-} ref rc=0 reader
  CELL=$((CELL + 1))
  CELL_SRC=$src
  CELL_DST="$dest:${all:+ --all}"
  CELL_ALL=$all
  NAME=localhost/matrix/c$CELL:1   # the image's name where a name is given
  ref=$(dest_ref "$dest")
  if [ "${PITH_MATRIX_WRITER:-pith}" = skopeo ]; then
    # The checks checked: skopeo writes every cell instead of pith.
    [ "$dest" != containers-storage ] ||
      ref="containers-storage:[$IPODMAN_DRIVER@$IPODMAN_DIR/root+$IPODMAN_DIR/run]$NAME"
    skopeo copy -q $all --src-tls-verify=false --dest-tls-verify=false \
      --digestfile "$TEST_TMP/digest" "${SRC_REF[$src]}" "$ref" >"$TEST_TMP/copy.out" 2>"$TEST_TMP/copy.err" || rc=$?
    [ "$rc" -eq 0 ] || rc=2
    echo "Copied: $(cat "$TEST_TMP/digest" 2>/dev/null) (skopeo)" >"$TEST_TMP/copy.out"
  else
    # Not -q: the line "Copied ... : DIGEST (...)" gives the digest pith wrote.
    "$PITH" copy $all --src-tls-verify=false --dest-tls-verify=false "${SRC_REF[$src]}" "$ref" \
      >"$TEST_TMP/copy.out" 2>"$TEST_TMP/copy.err" || rc=$?
  fi
  if [ -n "$all" ] && [ -n "${SINGLE_IMAGE[$dest]:-}" ]; then
    # One image holds no index: a one-line refusal, exit 2, nothing written.
    if [ "$rc" -eq 2 ] && [ "$(wc -l <"$TEST_TMP/copy.err")" -eq 1 ] &&
      grep -q '^pith: error: ' "$TEST_TMP/copy.err" && ! written "$dest"; then
      pass "$CELL_SRC -> $CELL_DST: refused"
      record "pith copy" refused "$(cut -c1-160 "$TEST_TMP/copy.err")"
    else
      fail "$CELL_SRC -> $CELL_DST: refused" "exit $rc (want 2, one 'pith: error:' line, nothing written)" \
        "$(head -n 3 "$TEST_TMP/copy.err")"
      record "pith copy" FAIL "not refused: exit $rc $(head -n 1 "$TEST_TMP/copy.err" | cut -c1-120)"
    fi
    for reader in "${READERS[@]}"; do record "$reader" n/a "refused by pith"; done
    return
  fi
  PRINTED=$(grep -o ': sha256:[0-9a-f]\{64\} (' "$TEST_TMP/copy.out" | cut -c3-73 || true)
  if [ "$rc" -ne 0 ] || [ -z "$PRINTED" ]; then
    PROBLEMS+=("pith copy: exit $rc: $(cat "$TEST_TMP/copy.err" "$TEST_TMP/copy.out" | head -n 2 | tr '\n' ' ' | cut -c1-200)")
    cell_done "pith copy"
    for reader in "${READERS[@]}"; do
      if [[ " ${NOT_READERS[$dest]} " == *" $reader "* ]]; then
        record "$reader" n/a ""
      else
        record "$reader" FAIL "pith copy failed"
      fi
    done
    return
  fi
  cell_done "pith copy"
  # Every reader must report the config (the image ID) the written image has, as skopeo reads
  # it there (converting a manifest between Docker and OCI may rewrite the config); and with
  # --all, the digest of the linux/amd64 image of the index written.
  local sref flags
  sref=$(skopeo_ref "$dest" "$ref")
  read -r -a flags <<<"$(skopeo_flags "$sref")"
  if EXPECT_CONFIG=$(skopeo inspect --config --raw --override-arch amd64 "${flags[@]}" "$sref" 2>/dev/null |
    sha256sum); then
    EXPECT_CONFIG=sha256:${EXPECT_CONFIG:0:64}
  else
    EXPECT_CONFIG="(a config skopeo cannot read)"
  fi
  INSTANCE=
  if [ -n "$all" ]; then
    INSTANCE=$(skopeo inspect --raw "${flags[@]}" "$sref" 2>/dev/null |
      jq -r '.manifests[] | select(.platform.architecture == "amd64") | .digest' 2>/dev/null)
  fi
  case $dest in
    oci) read_oci ;;
    oci-archive) read_oci_archive ;;
    docker-archive) read_docker_archive ;;
    dir) read_dir ;;
    docker) read_registry ;;
    docker-daemon) read_docker_daemon ;;
    containers-storage) read_containers_storage ;;
  esac
}

# skopeo_ref DEST PITH_REF: the same place in skopeo's syntax (docker-archive: without a name).
skopeo_ref() {
  case $1 in
    docker-archive) echo "docker-archive:$OUTS/c$CELL.docker.tar" ;;
    containers-storage) echo "containers-storage:[$IPODMAN_DRIVER@$IPODMAN_DIR/root+$IPODMAN_DIR/run]$NAME" ;;
    *) echo "$2" ;;
  esac
}

# ---------------------------------------------------------------------------------------
require_pith
start_dockerd
start_containerd
start_podman_service
REG=127.0.0.1:$(free_port)
start_registry registry "${REG#*:}"
export DOCKER_HOST="unix://$DOCKERD_DIR/docker.sock"   # pith's and skopeo's docker-daemon:
export CONTAINER_HOST="unix://$PODMAN_SOCK"            # pith's containers-storage:
cached_fixture matrix "$(matrix_cache_key)" build_matrix_fixture
FIX=$CACHED_FIXTURE
# podman and buildah name an image pulled from oci:PATH after PATH, which must then be lowercase
# (mktemp's $TEST_TMP is not).
OUTS=/tmp/pith-matrix.$$
rm -rf "$OUTS"
on_exit_run "rm -rf $OUTS"
mkdir -p "$OUTS" "$TEST_TMP/readers"
: >"$RESULTS"
STARTED=$(date +%s)
make_sources
set_sources

# From here every cell reports its own failures (attempt, expect) and the next cell goes on.
set +e
CELL=0
for src in "${SOURCES[@]}"; do
  for dest in "${DESTINATIONS[@]}"; do
    copy_cell "$src" "$dest"
    [ -z "${SRC_IS_INDEX[$src]:-}" ] || copy_cell "$src" "$dest" --all
  done
done

echo "matrix: $CELL copies, $(($(date +%s) - STARTED)) s"
if [ -n "${PITH_MATRIX_RESULTS:-}" ]; then
  for src in "${SOURCES[@]}"; do printf 'source\t%s\t%s\n' "$src" "${SRC_TITLE[$src]}"; done >"$PITH_MATRIX_RESULTS"
  cat "$RESULTS" >>"$PITH_MATRIX_RESULTS"
fi
finish matrix
