#!/usr/bin/env bash
# Integration test: `pith build -f Dockerfile` against `podman build` (every case) and Docker
# 20.10's classic builder (tier-A cases) on the same Dockerfiles and contexts
# (tests/data/dockerfile-conformance/NN-name/). The images must flatten to the same file
# system (type, link target, size, mode, owner, content, xattrs, hard-link groups; mtimes,
# RUN's mount-point stubs and /etc/shadow's last-change days excepted: a cached reference was
# built on another day) and have the same config key by key (created, history,
# rootfs and the builders' named quirks excepted): tests/integration/flat_compare.py.
#
# Base images come from a registry of the test's own: Alpine (the corpus' minirootfs), the
# Debian fixture (lib.sh), and per case the image of its base.Dockerfile (built by podman with
# --format docker, for ONBUILD). Dockerfiles name them by build ARGs: ALPINE, DEBIAN,
# ONBUILD_BASE, REGISTRY (host:port) - passed when the Dockerfile mentions them.
#
# A case folder holds its Dockerfile and context, and optionally:
#   make-context.sh  makes what git cannot hold (modes, owners, hard links, odd names, tars);
#                    run with umask 022 in a copy of the folder
#   build-args       KEY=VALUE lines given to every builder
#   target           the stage to build (--target)
#   tier             "B": a BuildKit extension podman has and Docker 20.10's builder lacks;
#                    compared with podman only
#   docker-differs   why Docker's image differs from podman's here, podman being right (or
#                    what pith does too: overlay): pith is compared with podman only
#   podman-differs   why podman's image differs from Docker's here, Docker (and BuildKit)
#                    being right: pith is compared with Docker only
#                    (both: checked to still differ in references mode)
#   pith-known-gap   why pith differs (for the lead to decide): a mismatch is reported as a
#                    skip with that reason, a match fails until the file is removed
#
# The reference images (podman's, Docker's) are kept as snapshots (flattened listing and
# config, a few hundred kB each) under ${XDG_CACHE_HOME:-$HOME/.cache}/pith/conformance/, keyed
# by the case's files, the builder's version, the base images and how they are built:
# a run rebuilds only what changed. PITH_CONFORMANCE_REBUILD=1 ignores them.
#
# PITH_CONFORMANCE_MODE=references compares podman's images with Docker's only (the suite's
# own check, usable without pith's builder). PITH_CONFORMANCE_CASES is a glob of case names
# to run (default: all).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_pith

CASES_DIR=$PITH_SRC/tests/data/dockerfile-conformance
MODE=${PITH_CONFORMANCE_MODE:-pith}
SNAPSHOTS="${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pith/conformance"
OUT=$TEST_TMP/out           # per case: NAME.BUILDER.json (snapshot) or NAME.BUILDER.err
CTX=$TEST_TMP/ctx           # per case and builder: a fresh copy of the case folder
COMPARE=("$PYTHON" "$INTEGRATION_DIR/flat_compare.py")
BUILD_TIMEOUT=300
# Files of a case folder that describe the case; removed from the build context.
META_FILES=(make-context.sh build-args target tier docker-differs podman-differs pith-known-gap
  base.Dockerfile)
mkdir -p "$OUT" "$CTX" "$SNAPSHOTS"
umask 022

case $MODE in pith | references) ;; *) echo "PITH_CONFORMANCE_MODE: pith or references" >&2; exit 1 ;; esac

CASES=()
for dir in "$CASES_DIR"/*/; do
  name=$(basename "$dir")
  # shellcheck disable=SC2053
  [[ $name == ${PITH_CONFORMANCE_CASES:-*} ]] && CASES+=("$name")
done
uses() { grep -qw "$2" "$CASES_DIR/$1/Dockerfile"; }
is_tier_b() { [ "$(cat "$CASES_DIR/$1/tier" 2>/dev/null)" == B ]; }

# ---------------------------------------------------------------------------------------
# Base images in a registry of the test's own.
PORT=$(free_port)
REGISTRY=127.0.0.1:$PORT
start_registry registry "$PORT"
# ALPINE: the minirootfs with the official image's config (Env PATH, Cmd /bin/sh), as people's
# Dockerfiles start from. BARE_ALPINE: the same files, a config without Env (builders then add
# a default PATH: case 81).
ALPINE_CHANGES=('ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  'CMD ["/bin/sh"]')
ALPINE_REF=$REGISTRY/alpine:3.19
BARE_ALPINE_REF=$REGISTRY/alpine-bare:3.19
if ! ipodman import -q "${ALPINE_CHANGES[@]/#/--change=}" "$(alpine_minirootfs)" "$ALPINE_REF" \
  >"$TEST_TMP/base.log" 2>&1 || ! ipodman push -q --tls-verify=false "$ALPINE_REF" >>"$TEST_TMP/base.log" 2>&1; then
  echo "pushing the Alpine base failed:" >&2
  tail -n 20 "$TEST_TMP/base.log" >&2
  exit 1
fi
pith_run copy -q --dest-tls-verify=false "rootfs:$(alpine_minirootfs)" "docker://$BARE_ALPINE_REF" ||
  { echo "pushing the bare Alpine base failed: $(pith_stderr)" >&2; exit 1; }
DEBIAN_REF=$REGISTRY/debian:12
DEBIAN_KEY=none
for name in "${CASES[@]}"; do
  if uses "$name" DEBIAN; then
    debian_fixture
    DEBIAN_KEY=$(debian_cache_key)
    pith_run copy -q --dest-tls-verify=false "docker-archive:$DEBIAN_ARCHIVE" "docker://$DEBIAN_REF" ||
      { echo "pushing the Debian base failed: $(pith_stderr)" >&2; exit 1; }
    break
  fi
done

# prepare_context NAME DIR: a fresh copy of the case folder in DIR, its make-context.sh run,
# the case's own files removed.
prepare_context() {
  local name=$1 dir=$2 f
  rm -rf "$dir"
  cp -a "$CASES_DIR/$name" "$dir"
  chmod -R go-w "$dir"    # whatever umask the checkout had
  if [ -f "$dir/make-context.sh" ]; then (cd "$dir" && umask 022 && bash make-context.sh); fi
  for f in "${META_FILES[@]}"; do rm -f "$dir/$f"; done
}

# build_args NAME: --build-arg options for case NAME, one per line.
build_args() {
  local name=$1
  uses "$name" ALPINE && echo "--build-arg=ALPINE=$ALPINE_REF"
  uses "$name" BARE_ALPINE && echo "--build-arg=BARE_ALPINE=$BARE_ALPINE_REF"
  uses "$name" DEBIAN && echo "--build-arg=DEBIAN=$DEBIAN_REF"
  uses "$name" ONBUILD_BASE && echo "--build-arg=ONBUILD_BASE=$REGISTRY/onbuild-base-${name%%-*}:1"
  uses "$name" REGISTRY && echo "--build-arg=REGISTRY=$REGISTRY"
  if [ -f "$CASES_DIR/$name/build-args" ]; then sed 's/^/--build-arg=/' "$CASES_DIR/$name/build-args"; fi
  if [ -f "$CASES_DIR/$name/target" ]; then echo "--target=$(cat "$CASES_DIR/$name/target")"; fi
}

# Cases with a base.Dockerfile: its image, built once by podman in Docker format (ONBUILD
# survives only there), pushed for every builder to pull.
for name in "${CASES[@]}"; do
  [ -f "$CASES_DIR/$name/base.Dockerfile" ] || continue
  prepare_context "$name" "$CTX/$name.base"
  ref=$REGISTRY/onbuild-base-${name%%-*}:1
  if ! ipodman build -q --format docker --network host --tls-verify=false \
    --build-arg "ALPINE=$ALPINE_REF" -t "$ref" -f "$CASES_DIR/$name/base.Dockerfile" \
    "$CTX/$name.base" >"$TEST_TMP/base.log" 2>&1 ||
    ! ipodman push -q --tls-verify=false "$ref" >>"$TEST_TMP/base.log" 2>&1; then
    echo "building the base image of $name failed:" >&2
    tail -n 20 "$TEST_TMP/base.log" >&2
    exit 1
  fi
done

# ---------------------------------------------------------------------------------------
# Reference images: podman's for every case, Docker's for tier A; snapshots cached.

# snapshot_key NAME BUILDER VERSION: what a reference snapshot depends on.
snapshot_key() {
  {
    # The expectations (which builder differs, pith's gaps) are no input of the builds.
    (cd "$CASES_DIR/$1" && find . -type f ! -name '*-differs' ! -name pith-known-gap -print0 |
      LC_ALL=C sort -z | xargs -0 sha256sum)
    echo "$2 $3 $(basename "$(alpine_minirootfs)") ${ALPINE_CHANGES[*]}"
    if uses "$1" DEBIAN; then echo "debian $DEBIAN_KEY"; fi
    declare -f prepare_context build_args build_podman build_docker
    "${COMPARE[@]}" --snapshot-version
  } | sha256sum | cut -c1-16
}

# reference NAME BUILDER VERSION BUILD_FUNCTION: $OUT/NAME.BUILDER.json from the cache or
# from BUILD_FUNCTION NAME CONTEXT IMAGE_TAR (then cached); $OUT/NAME.BUILDER.err on failure.
reference() {
  local name=$1 builder=$2 version=$3 build=$4 key cached
  key=$(snapshot_key "$name" "$builder" "$version")
  cached=$SNAPSHOTS/$name.$builder.$key.json
  if [ -f "$cached" ] && [ -z "${PITH_CONFORMANCE_REBUILD:-}" ]; then
    cp "$cached" "$OUT/$name.$builder.json"
    return 0
  fi
  prepare_context "$name" "$CTX/$name.$builder"
  if "$build" "$name" "$CTX/$name.$builder" "$TEST_TMP/$name.$builder.tar" \
    >"$OUT/$name.$builder.log" 2>&1 &&
    "${COMPARE[@]}" --snapshot "$TEST_TMP/$name.$builder.tar" "$OUT/$name.$builder.json" \
      >>"$OUT/$name.$builder.log" 2>&1; then
    rm -f "$SNAPSHOTS/$name.$builder".*.json
    cp "$OUT/$name.$builder.json" "$cached"
  else
    mv "$OUT/$name.$builder.log" "$OUT/$name.$builder.err"
  fi
  rm -rf "$TEST_TMP/$name.$builder.tar" "$CTX/$name.$builder"
}

build_podman() {
  local name=$1 ctx=$2 tar=$3 args
  mapfile -t args < <(build_args "$name")
  # Docker format: podman drops HEALTHCHECK, ONBUILD and SHELL from OCI configs.
  timeout "$BUILD_TIMEOUT" env -u CONTAINER_HOST podman --root "$IPODMAN_DIR/root" \
    --runroot "$IPODMAN_DIR/run" --tmpdir "$IPODMAN_DIR/tmp" --storage-driver "$IPODMAN_DRIVER" \
    build -q --format docker --network host --tls-verify=false "${args[@]}" \
    -t "localhost/conformance/$name:1" -f "$ctx/Dockerfile" "$ctx"
  ipodman save -q --format docker-archive -o "$tar" "localhost/conformance/$name:1"
  ipodman rmi -f "localhost/conformance/$name:1" >/dev/null
}

build_docker() {
  local name=$1 ctx=$2 tar=$3 args
  mapfile -t args < <(build_args "$name")
  DOCKER_BUILDKIT=0 timeout "$BUILD_TIMEOUT" env DOCKER_HOST="unix://$DOCKERD_DIR/docker.sock" \
    "$DOCKER_CLI" build -q --network host "${args[@]}" -t "conformance/$name:1" \
    -f "$ctx/Dockerfile" "$ctx"
  idocker save -o "$tar" "conformance/$name:1"
  idocker rmi -f "conformance/$name:1" >/dev/null
}

# docker_column NAME: Docker builds case NAME (its image is compared with pith's, or in
# references mode with podman's).
docker_column() { ! is_tier_b "$1" && { [ "$MODE" == references ] || [ ! -f "$CASES_DIR/$1/docker-differs" ]; }; }

PODMAN_VERSION=$(podman --version)
DOCKER_VERSION=$(dockerd --version)
NEED_DOCKER=
for name in "${CASES[@]}"; do
  docker_column "$name" || continue
  key=$(snapshot_key "$name" docker "$DOCKER_VERSION")
  if [ ! -f "$SNAPSHOTS/$name.docker.$key.json" ] || [ -n "${PITH_CONFORMANCE_REBUILD:-}" ]; then
    NEED_DOCKER=1
  fi
done
# Twice at most: start_daemon's own-session check can look before setsid has run (seen on a
# loaded machine); the first attempt's daemon is stopped on exit all the same.
[ -z "$NEED_DOCKER" ] || start_dockerd || start_dockerd

started=$SECONDS
# The two builders side by side (two cores): podman here, Docker in a background job.
(
  for name in "${CASES[@]}"; do
    docker_column "$name" && reference "$name" docker "$DOCKER_VERSION" build_docker
  done
) &
docker_job=$!
for name in "${CASES[@]}"; do
  [ "$MODE" == pith ] && [ -f "$CASES_DIR/$name/podman-differs" ] && continue
  reference "$name" podman "$PODMAN_VERSION" build_podman
done
wait "$docker_job"
echo "# references ready in $((SECONDS - started)) s"

# ---------------------------------------------------------------------------------------
# The candidate: pith's image of every case (references mode: Docker's).

build_pith() {
  local name=$1 args rc=0
  mapfile -t args < <(build_args "$name")
  prepare_context "$name" "$CTX/$name.pith"
  # --no-verify: lint's run-time rules judge images, not the builder (cases such as FROM
  # scratch with no command are fine here).
  timeout "$BUILD_TIMEOUT" "$PITH" build -q -f "$CTX/$name.pith/Dockerfile" "$CTX/$name.pith" \
    --store "$TEST_TMP/pith-store" --tls-verify=false --no-verify "${args[@]}" \
    -o "oci-archive:$TEST_TMP/$name.pith.tar:$name" >"$OUT/$name.pith.log" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ] && "${COMPARE[@]}" --snapshot "$TEST_TMP/$name.pith.tar" \
    "$OUT/$name.pith.json" >>"$OUT/$name.pith.log" 2>&1; then
    :
  else
    echo "exit $rc" >>"$OUT/$name.pith.log"
    mv "$OUT/$name.pith.log" "$OUT/$name.pith.err"
  fi
  rm -rf "$TEST_TMP/$name.pith.tar" "$CTX/$name.pith"
}

if [ "$MODE" == pith ]; then
  started=$SECONDS
  for name in "${CASES[@]}"; do build_pith "$name"; done
  echo "# pith's images ready in $((SECONDS - started)) s"
fi

# conform CHECK_NAME NAME REF CAND KNOWN_FILE: one check; KNOWN_FILE (in the case folder)
# names an expected difference: a difference is then a skip with its reason, a match fails.
conform() {
  local check=$1 name=$2 ref=$3 cand=$4 known=$CASES_DIR/$2/$5 out rc=0
  for side in "$ref" "$cand"; do
    if [ ! -f "$OUT/$name.$side.json" ]; then
      fail "$check" "$side could not build the case:" "$(tail -n 15 "$OUT/$name.$side.err" 2>/dev/null)"
      return
    fi
  done
  out=$("${COMPARE[@]}" --builders "$ref,$cand" "$OUT/$name.$ref.json" "$OUT/$name.$cand.json") || rc=$?
  if [ -f "$known" ]; then
    if [ "$rc" -eq 1 ]; then
      skip "$check" "known: $(head -n 1 "$known")"
      printf '%s\n' "$out" | head -n 10 | sed 's/^/     /'
    else
      fail "$check" "$5 says they differ (\"$(head -n 1 "$known")\"), but they agree (exit $rc): remove $5"
    fi
  elif [ "$rc" -eq 0 ]; then
    pass "$check"
  else
    fail "$check" "$(printf '%s\n' "$out" | head -n 30)" "($(printf '%s\n' "$out" | wc -l) differences)"
  fi
}

for name in "${CASES[@]}"; do
  if [ "$MODE" == references ]; then
    if is_tier_b "$name"; then
      check "$name: podman builds it (tier B)" test -f "$OUT/$name.podman.json"
      continue
    fi
    known=docker-differs
    [ -f "$CASES_DIR/$name/podman-differs" ] && known=podman-differs
    conform "$name: docker = podman" "$name" podman docker "$known"
    continue
  fi
  if [ -f "$CASES_DIR/$name/podman-differs" ]; then
    skip "$name: pith = podman" "podman differs: $(head -n 1 "$CASES_DIR/$name/podman-differs")"
  else
    conform "$name: pith = podman" "$name" podman pith pith-known-gap
  fi
  if [ -f "$CASES_DIR/$name/docker-differs" ]; then
    skip "$name: pith = docker" "Docker differs: $(head -n 1 "$CASES_DIR/$name/docker-differs")"
  elif docker_column "$name"; then
    conform "$name: pith = docker" "$name" docker pith pith-known-gap
  fi
done

finish dockerfile_conformance
