# shellcheck shell=bash
# bench/lib/golang-image.sh — the ~1 GB golang-like Debian image the benchmarks share.
# Source it (bash), then call the functions; nothing runs on `source`.
#
#   golang_image_ensure       builds the image once (mmdebstrap + podman import/save, a few
#                             minutes) and sets:
#                               bench_root          ${XDG_CACHE_HOME:-$HOME/.cache}/pith/bench
#                               golang_cache        $bench_root/golang-<recipe hash>
#                               golang_docker_tar   docker-archive, one uncompressed layer
#                               golang_oci_tar      oci-archive (podman's: gzip layer)
#   golang_oci_layout_ensure  after golang_image_ensure: sets golang_oci_dir, an OCI layout
#                             (tag "golang") made once by `skopeo copy docker-archive:... oci:`
#                             (skopeo's default: the layer gzip-compressed)
#
# The image: mmdebstrap --variant=apt --include=golang-go,build-essential,git,curl,ca-certificates
# bookworm (about 950 MB, 170 packages, 27,600 entries), imported with podman with CMD ["bash"]
# (as the golang images have it). Everything that
# decides its bytes is in the recipe, and the recipe's hash in the cache directory's name, so a
# changed recipe gets a new directory. Nothing here is ever committed.
#
# golang_image_ensure takes an exclusive flock on $bench_root/.lock (fd 9) and keeps it until the
# calling script exits: two benchmarks never build the image, or measure, at the same time.
# Callers run under `set -e` (the functions rely on it to stop at a failing step). They may define
# log() (else messages go to stderr as they are) and PITH (the pith binary; used only if podman
# import/save fails, to make the docker-archive from the rootfs tarball).

golang_suite=bookworm
golang_packages=golang-go,build-essential,git,curl,ca-certificates
golang_image_ref=localhost/pith-bench:golang
golang_recipe="v2 mmdebstrap --variant=apt --include=$golang_packages $golang_suite | podman import --change CMD=[\"bash\"] $golang_image_ref | podman save docker-archive, oci-archive"

_golang_log() {
  if declare -F log >/dev/null; then log "$@"; else printf '%s\n' "$*" >&2; fi
}

_golang_build() {
  local cache=$1 tmp=$1.tmp
  rm -rf "$tmp"; mkdir -p "$tmp"
  local t0=$SECONDS
  _golang_log "building the image into $cache (once; a few minutes)"
  mmdebstrap --quiet --variant=apt --include="$golang_packages" "$golang_suite" "$tmp/rootfs.tar"
  local t1=$SECONDS
  # podman in a private store (vfs: no overlay mount needed), removed afterwards.
  # (podman wants a runroot path under 50 characters.)
  local store=$tmp/podman runroot
  runroot=$(mktemp -d /tmp/pith-bench-podman.XXXXXX)
  local p=(podman --root "$store" --runroot "$runroot" --storage-driver vfs)
  # CMD bash, as the golang images have it (from buildpack-deps): what `docker run golang` runs.
  if "${p[@]}" import --quiet --change 'CMD ["bash"]' "$tmp/rootfs.tar" "$golang_image_ref" >/dev/null &&
     "${p[@]}" save --quiet --format docker-archive -o "$tmp/golang-docker.tar" "$golang_image_ref" &&
     "${p[@]}" save --quiet --format oci-archive -o "$tmp/golang-oci.tar" "$golang_image_ref"; then
    _golang_log "podman import/save done"
  else
    _golang_log "podman import/save failed; making the archives with pith + skopeo instead"
    [[ -n ${PITH:-} && -x ${PITH:-} ]] || { echo "no pith binary (PITH) to fall back on" >&2; return 1; }
    rm -f "$tmp/golang-docker.tar" "$tmp/golang-oci.tar"
    "$PITH" copy -q "rootfs:$tmp/rootfs.tar" "docker-archive:$tmp/golang-docker.tar:$golang_image_ref"
    skopeo copy -q "docker-archive:$tmp/golang-docker.tar" "oci-archive:$tmp/golang-oci.tar:golang"
  fi
  "${p[@]}" rmi -a -f >/dev/null 2>&1 || true
  chmod -R u+w "$store" 2>/dev/null || true
  rm -rf "$store" "$runroot" "$tmp/rootfs.tar"
  printf '%s\nmmdebstrap %ss, import+save %ss\n' "$golang_recipe" "$((t1 - t0))" "$((SECONDS - t1))" >"$tmp/recipe"
  mv "$tmp" "$cache"
  _golang_log "image built in $((SECONDS - t0)) s (mmdebstrap $((t1 - t0)) s, import+save $((SECONDS - t1)) s)"
}

golang_image_ensure() {
  local tool
  for tool in mmdebstrap podman skopeo; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y mmdebstrap podman skopeo)" >&2; return 1; }
  done
  local stamp; stamp=$(printf '%s' "$golang_recipe" | sha256sum | cut -c1-12)
  bench_root=${XDG_CACHE_HOME:-$HOME/.cache}/pith/bench
  golang_cache=$bench_root/golang-$stamp
  mkdir -p "$bench_root"
  exec 9>"$bench_root/.lock"
  flock 9
  if [[ -f $golang_cache/golang-docker.tar && -f $golang_cache/golang-oci.tar && -f $golang_cache/recipe ]]; then
    _golang_log "reusing $golang_cache ($(sed -n 2p "$golang_cache/recipe"))"
  else
    rm -rf "$golang_cache"
    _golang_build "$golang_cache"
  fi
  # shellcheck disable=SC2034  # (for the callers)
  golang_docker_tar=$golang_cache/golang-docker.tar
  # shellcheck disable=SC2034
  golang_oci_tar=$golang_cache/golang-oci.tar
}

golang_oci_layout_ensure() {
  golang_oci_dir=$golang_cache/golang-oci-layout
  # Made in a .tmp directory and renamed when complete: if it exists, it is whole.
  [[ -f $golang_oci_dir/index.json ]] && return 0
  _golang_log "making the OCI layout $golang_oci_dir (skopeo copy docker-archive: oci:, once)"
  local tmp=$golang_oci_dir.tmp t0=$SECONDS
  rm -rf "$tmp" "$golang_oci_dir"
  skopeo copy -q "docker-archive:$golang_docker_tar" "oci:$tmp:golang"
  mv "$tmp" "$golang_oci_dir"
  _golang_log "OCI layout made in $((SECONDS - t0)) s"
}
