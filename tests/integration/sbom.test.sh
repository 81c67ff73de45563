#!/usr/bin/env bash
# Integration test: `pith sbom` and `pith build --sbom`. Every document is validated by the
# format's schema (SPDX 2.3: spdx-spec's JSON schema with python3-jsonschema; CycloneDX 1.6:
# @cyclonedx/cyclonedx-library's strict validator with ajv) and read by a second reader that
# shares no code with the first (SPDX: sbom_readers.cjs, packageurl-js and spdx-expression-parse
# over every purl and licence, every relationship resolved; CycloneDX: cdxgen's cdx-validate,
# whose deep checks parse purls and bom-refs). Facts are compared with tools that read the
# images' own files: dpkg-query on the unpacked Debian root, sha256sum, the apk database's
# records, rpm on go-rpmdb's SQLite database.
# Images: the cached Debian fixture (lib.sh debian_fixture), the Alpine minirootfs as rootfs:,
# a root holding go-rpmdb's CBL-Mariner rpmdb.sqlite, dive's corpus image, and images that
# `pith build --sbom` writes. npm packages are installed once under ~/.cache/pith/npm-sbom.
# About 30 s of CPU with warm caches (80 s wall on a loaded 2-core machine); the first run adds
# the npm install (about 20 s).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

NPM_DIR="${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pith/npm-sbom"
NPM_PACKAGES=(@cyclonedx/cyclonedx-library@10.3.0 ajv@8 ajv-formats@3 ajv-formats-draft2019@1
  @cyclonedx/cdxgen@12.8.4 spdx-expression-parse@4)
SPDX_SCHEMA=$PITH_CORPUS/spdx-spec/v2.3/spdx-schema.json
READERS=$INTEGRATION_DIR/sbom_readers.cjs

# npm_tools: the validators, installed once (the list is part of the cache's stamp).
npm_tools() {
  local stamp="${NPM_PACKAGES[*]}" major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo none)
  if [[ $major == none || $major -lt 20 ]]; then
    echo "the CycloneDX validators need node 20 or later (have: $major)" >&2
    return 1
  fi
  if [ "$(cat "$NPM_DIR/stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "installing ${NPM_PACKAGES[*]} with npm into $NPM_DIR (once)" >&2
    rm -rf "$NPM_DIR"
    mkdir -p "$NPM_DIR"
    (cd "$NPM_DIR" && npm install --silent --no-audit --no-fund --omit=optional --prefix . \
      "${NPM_PACKAGES[@]}" >install.log 2>&1) || { cat "$NPM_DIR/install.log" >&2; return 1; }
    echo "$stamp" >"$NPM_DIR/stamp"
  fi
  export NODE_PATH=$NPM_DIR/node_modules
}

spdx_schema_valid() {
  "$PYTHON" - "$SPDX_SCHEMA" "$1" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
for e in errors[:10]:
    print(list(e.path), e.message[:300])
sys.exit(1 if errors else 0)
PY
}

# check_spdx LABEL FILE: schema, then the second reader (its summary in $TEST_TMP/summary).
check_spdx() {
  check "$1: SPDX validates against the SPDX 2.3 schema" spdx_schema_valid "$2"
  if node "$READERS" spdx-read "$2" >"$TEST_TMP/summary" 2>&1; then
    pass "$1: SPDX read by packageurl-js and spdx-expression-parse, every relationship resolved"
  else
    fail "$1: SPDX second reader" "$(head -n 20 "$TEST_TMP/summary")"
  fi
}

# check_cdx LABEL FILE: the library's strict validator, then cdxgen's cdx-validate (deep).
check_cdx() {
  check "$1: CycloneDX validates with @cyclonedx/cyclonedx-library (bom-1.6)" \
    node "$READERS" cdx-schema "$2"
  node "$NPM_DIR/node_modules/@cyclonedx/cdxgen/bin/validate.js" -i "$2" -r json \
    -o "$TEST_TMP/cdx-validate.json" >/dev/null 2>&1 || true
  check_equal "$1: cdxgen's cdx-validate reads it: schema and deep (purl, bom-ref) checks pass" \
    "true true" "$(jq -r '"\(.schemaValid) \(.deepValid)"' "$TEST_TMP/cdx-validate.json" 2>&1)"
}

sbom() { pith_run sbom "$@"; }

# ---------------------------------------------------------------------------------------
# Debian: package count, a file's sha256, a licence from a DEP-5 copyright file, DEPENDS_ON,
# determinism.

debian_case() {
  debian_fixture
  local image="docker-archive:$DEBIAN_ARCHIVE" root=$TEST_TMP/debian spdx=$TEST_TMP/deb.spdx.json
  local cdx=$TEST_TMP/deb.cdx.json
  squashed_root "$DEBIAN_ARCHIVE" "$root"
  if ! sbom "$image" -o "$spdx" || ! sbom "$image" --format cyclonedx-json -o "$cdx"; then
    fail "debian: pith sbom" "$(pith_stderr)"
    return
  fi
  check_spdx debian "$spdx"
  check_cdx debian "$cdx"
  local want
  want=$(dpkg-query --admindir="$root/root/var/lib/dpkg" -W -f='${Package}@${Version}\n' | sort)
  check_equal "debian: SPDX packages = dpkg-query -W on the unpacked root" "$want" \
    "$(jq -r '.packages[] | select(.externalRefs[0].referenceLocator | startswith("pkg:deb/"))
              | "\(.name)@\(.versionInfo)"' "$spdx" | sort)"
  check_equal "debian: CycloneDX components = dpkg-query -W" "$want" \
    "$(jq -r '.components[] | select(.purl | startswith("pkg:deb/")) | "\(.name)@\(.version)"' "$cdx" | sort)"
  check_equal "debian: cdx-validate counts the same components" \
    "Machine-readable CycloneDX 1.6 inventory with $(echo "$want" | wc -l) component(s)." \
    "$(jq -r '[.benchmarks[].controls[] | select(.id == "SCVS-1.3") | .message][0]' "$TEST_TMP/cdx-validate.json")"
  check_equal "debian: every deb purl has distro=debian-12 (os-release)" "0" \
    "$(jq '[.components[].purl | select(test("distro=debian-12") | not)] | length' "$cdx")"
  check_equal "debian: the DESCRIBED root is the image, with its manifest digest (skopeo)" \
    "$(jq -r '.packages[0].SPDXID' "$spdx") sha256:$(manifest_digest "$image")" \
    "$(jq -r '.relationships[0].relatedSpdxElement' "$spdx") $(jq -r '.packages[0].versionInfo' "$spdx")"
  check_equal "debian: CycloneDX metadata.component is the image: digest as bom-ref, purl" \
    "container sha256:$(manifest_digest "$image") pkg:oci/docker-archive@sha256%3A$(manifest_digest "$image")?arch=amd64" \
    "$(jq -r '.metadata.component | "\(.type) \(.["bom-ref"]) \(.purl)"' "$cdx")"
  # A file's sha256: dpkg's own program, as sha256sum of the unpacked file gives it.
  check_equal "debian: sha256 of /usr/bin/dpkg = sha256sum" \
    "$(sha256sum "$root/root/usr/bin/dpkg" | cut -d' ' -f1)" \
    "$(jq -r '.files[] | select(.fileName == "/usr/bin/dpkg") | .checksums[0].checksumValue' "$spdx")"
  check_equal "debian: /usr/bin/dpkg is CONTAINed by the dpkg package" "SPDXRef-Package-deb-dpkg" \
    "$(jq -r --arg f "$(jq -r '.files[] | select(.fileName == "/usr/bin/dpkg") | .SPDXID' "$spdx")" \
      '.relationships[] | select(.relatedSpdxElement == $f) | .spdxElementId' "$spdx" | cut -d- -f1-4)"
  # bash's copyright is DEP-5 with "License: GPL-3+" for its files.
  check "debian: bash's copyright file says GPL-3+" grep -qx 'License: GPL-3+' "$root/root/usr/share/doc/bash/copyright"
  check_equal "debian: bash's licence from its copyright file includes GPL-3.0-or-later" "true" \
    "$(jq '.packages[] | select(.name == "bash") | .licenseDeclared | test("GPL-3.0-or-later")' "$spdx")"
  # DEPENDS_ON: every installed package whose Depends/Pre-Depends names libc6 has an edge to it.
  local libc_users
  libc_users=$(dpkg-query --admindir="$root/root/var/lib/dpkg" -W -f='${Package}\t${Pre-Depends}, ${Depends}\n' |
    awk -F'\t' '$2 ~ /(^|[ ,|])libc6([ :(,]|$)/ {print $1}' | sort)
  check_equal "debian: DEPENDS_ON libc6 from exactly the packages that depend on it" "$libc_users" \
    "$(jq -r --arg libc "$(jq -r '.packages[] | select(.name == "libc6") | .SPDXID' "$spdx")" '
        (.packages | map({(.SPDXID): .name}) | add) as $names
        | .relationships[] | select(.relationshipType == "DEPENDS_ON" and .relatedSpdxElement == $libc)
        | $names[.spdxElementId]' "$spdx" | sort)"
  # Determinism: the same bytes twice; another SOURCE_DATE_EPOCH changes the time only.
  SOURCE_DATE_EPOCH=1700000000 sbom "$image" -o "$TEST_TMP/a.json"
  SOURCE_DATE_EPOCH=1700000000 sbom "$image" -o "$TEST_TMP/b.json"
  check "debian: two runs give the same bytes" cmp "$TEST_TMP/a.json" "$TEST_TMP/b.json"
  check_equal "debian: another SOURCE_DATE_EPOCH changes only the creation time" \
    '<     "created": "1970-01-01T00:00:00Z",
---
>     "created": "2023-11-14T22:13:20Z",' \
    "$(SOURCE_DATE_EPOCH=0 sbom "$image" | diff - "$TEST_TMP/a.json" | tail -n +2)"
  SOURCE_DATE_EPOCH=1700000000 sbom "$image" --format cyclonedx-json -o "$TEST_TMP/c.json"
  check_equal "debian: CycloneDX timestamp from SOURCE_DATE_EPOCH, serial number from the digest" \
    "2023-11-14T22:13:20Z $(jq -r .serialNumber "$cdx")" \
    "$(jq -r '"\(.metadata.timestamp) \(.serialNumber)"' "$TEST_TMP/c.json")"
}

# ---------------------------------------------------------------------------------------
# Alpine: apk licences (L:), dependencies through so: provides (D:/p:), purls.

alpine_case() {
  local tarball spdx=$TEST_TMP/alpine.spdx.json cdx=$TEST_TMP/alpine.cdx.json db=$TEST_TMP/installed
  tarball=$(alpine_minirootfs)
  tar -xzOf "$tarball" ./lib/apk/db/installed >"$db"
  if ! sbom "rootfs:$tarball" -o "$spdx" || ! sbom "rootfs:$tarball" --format cyclonedx-json -o "$cdx"; then
    fail "alpine: pith sbom" "$(pith_stderr)"
    return
  fi
  check_spdx alpine "$spdx"
  check_cdx alpine "$cdx"
  check_equal "alpine: packages = P: records of lib/apk/db/installed" \
    "$(awk -F: '/^P:/ {p = $2} /^V:/ {print p "@" substr($0, 3)}' "$db" | sort)" \
    "$(jq -r '.components[] | "\(.name)@\(.version)"' "$cdx" | sort)"
  check_equal "alpine: musl's licence is its L: field" \
    "$(awk -F: '/^P:/ {p = $2} /^L:/ && p == "musl" {print substr($0, 3)}' "$db")" \
    "$(jq -r '.components[] | select(.name == "musl") | .licenses[0].license.id' "$cdx")"
  check_equal "alpine: busybox depends on musl (D: so:libc.musl-x86_64.so.1, p: of musl)" "true" \
    "$(jq --arg b "$(jq -r '.components[] | select(.name == "busybox") | .["bom-ref"]' "$cdx")" \
          --arg m "$(jq -r '.components[] | select(.name == "musl") | .["bom-ref"]' "$cdx")" \
          '.dependencies[] | select(.ref == $b) | .dependsOn | index($m) != null' "$cdx")"
  check_equal "alpine: /bin/busybox's sha256 = sha256sum of it in the tarball" \
    "$(tar -xzOf "$tarball" ./bin/busybox | sha256sum | cut -d' ' -f1)" \
    "$(jq -r '.files[] | select(.fileName == "/bin/busybox") | .checksums[0].checksumValue' "$spdx")"
}

# ---------------------------------------------------------------------------------------
# rpm: go-rpmdb's CBL-Mariner SQLite database in a root; licence and requires as rpm reads them.

rpm_case() {
  local root=$TEST_TMP/rpmroot spdx=$TEST_TMP/rpm.spdx.json cdx=$TEST_TMP/rpm.cdx.json
  mkdir -p "$root/var/lib/rpm" "$root/etc"
  cp "$PITH_CORPUS/go-rpmdb/pkg/testdata/cbl-mariner-2.0/rpmdb.sqlite" "$root/var/lib/rpm/"
  printf 'ID=mariner\nVERSION_ID=2.0\n' >"$root/etc/os-release"
  if ! sbom "rootfs:$root" -o "$spdx" || ! sbom "rootfs:$root" --format cyclonedx-json -o "$cdx"; then
    fail "rpm: pith sbom" "$(pith_stderr)"
    return
  fi
  check_spdx rpm "$spdx"
  check_cdx rpm "$cdx"
  local rpmq=(rpm --dbpath "$root/var/lib/rpm")
  check_equal "rpm: packages = rpm -qa" "$("${rpmq[@]}" -qa --qf '%{NAME}\n' | sort)" \
    "$(jq -r '.components[].name' "$cdx" | sort)"
  check_equal "rpm: curl's licence = rpm -q --qf %{LICENSE}" "$("${rpmq[@]}" -q --qf '%{LICENSE}' curl)" \
    "$(jq -r '.hasExtractedLicensingInfos as $r | .packages[] | select(.name == "curl") | .licenseDeclared' "$spdx")"
  # curl requires libcurl(x86-64) and more; the providers rpm names are its DEPENDS_ON.
  local want
  want=$("${rpmq[@]}" -q --requires curl | awk '{print $1}' | grep -v '^rpmlib(' | sort -u |
    while read -r cap; do "${rpmq[@]}" -q --whatprovides "$cap" --qf '%{NAME}\n' 2>/dev/null; done |
    grep -vx curl | sort -u)
  check_equal "rpm: curl's dependencies = rpm -q --whatprovides of its requires" "$want" \
    "$(jq -r --arg c "$(jq -r '.components[] | select(.name == "curl") | .["bom-ref"]' "$cdx")" '
        (.components | map({(.["bom-ref"]): .name}) | add) as $names
        | .dependencies[] | select(.ref == $c) | .dependsOn[] | $names[.]' "$cdx" | sort -u)"
}

# ---------------------------------------------------------------------------------------
# dive's image: 14 layers with whiteouts and hard links, no package database.

dive_case() {
  local image=docker-archive:$PITH_CORPUS/dive/test-docker-image.tar
  if ! sbom "$image" -o "$TEST_TMP/dive.spdx.json" ||
    ! sbom "$image" --format cyclonedx-json -o "$TEST_TMP/dive.cdx.json"; then
    fail "dive: pith sbom" "$(pith_stderr)"
    return
  fi
  check_spdx dive "$TEST_TMP/dive.spdx.json"
  check_equal "dive: the image is the only package, DESCRIBED" \
    '{"packages":1,"files":0,"purls":1,"describes":"SPDXRef-Image-test-docker-image","relationships":{"DESCRIBES":1}}' \
    "$(cat "$TEST_TMP/summary")"
  check_cdx dive "$TEST_TMP/dive.cdx.json"
  expect_error "sbom: an unknown format is refused before reading" "unknown SBOM format" \
    sbom "$image" --format spdx
}

# ---------------------------------------------------------------------------------------
# pith build --sbom: the SBOM beside each file output, of the digest printed for it.

build_case() {
  local out=$TEST_TMP/built printed
  mkdir -p "$out"
  if ! printed=$(SOURCE_DATE_EPOCH=0 "$PITH" build --entrypoint /usr/bin/true --sbom \
    -o "oci-archive:$out/app.tar:1" -o "oci:$out/layout:v1" 2>"$TEST_TMP/pith.stderr"); then
    fail "build --sbom" "$(pith_stderr)"
    return
  fi
  check_equal "build --sbom: says where each SBOM went" \
    "  sbom: $out/app.tar.spdx.json
  sbom: $out/layout.v1.spdx.json" "$(grep '^  sbom: ' <<<"$printed")"
  check_spdx "build --sbom (oci-archive)" "$out/app.tar.spdx.json"
  check_equal "build --sbom: the SBOM's image is the digest printed for the output" \
    "$(awk -v o="oci-archive:$out/app.tar:1" '$2 == o {print $3}' <<<"$printed")" \
    "$(jq -r '.packages[0].versionInfo' "$out/app.tar.spdx.json")"
  check_equal "build --sbom: coreutils (owner of /usr/bin/true) is in it" \
    "$(dpkg-query -W -f='${Version}' coreutils)" \
    "$(jq -r '.packages[] | select(.name == "coreutils") | .versionInfo' "$out/layout.v1.spdx.json")"
  if SOURCE_DATE_EPOCH=0 "$PITH" build -q --entrypoint /usr/bin/true --sbom --sbom-format cyclonedx-json \
    -o "docker-archive:$out/d.tar:app:1" 2>"$TEST_TMP/pith.stderr"; then
    check_cdx "build --sbom (docker-archive)" "$out/d.tar.cdx.json"
  else
    fail "build --sbom --sbom-format cyclonedx-json" "$(pith_stderr)"
  fi
  # A Dockerfile build (COPY only: no runc needed) writes its SBOM the same way.
  mkdir -p "$out/ctx"
  echo hello >"$out/ctx/hello.txt"
  printf 'FROM scratch\nCOPY hello.txt /hello.txt\n' >"$out/ctx/Dockerfile"
  if printed=$(SOURCE_DATE_EPOCH=0 "$PITH" build -f "$out/ctx/Dockerfile" --store "$TEST_TMP/store" \
    --sbom -o "oci-archive:$out/df.tar:1" "$out/ctx" 2>"$TEST_TMP/pith.stderr"); then
    check_equal "build -f Dockerfile --sbom: the SBOM beside the output names its digest" \
      "$(awk -v o="oci-archive:$out/df.tar:1" '$2 == o {print $3}' <<<"$printed")" \
      "$(jq -r '.packages[0].versionInfo' "$out/df.tar.spdx.json" 2>&1)"
  else
    fail "build -f Dockerfile --sbom" "$(pith_stderr)"
  fi
}

require_pith
npm_tools
debian_case
alpine_case
rpm_case
dive_case
build_case
finish sbom
