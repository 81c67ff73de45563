#!/usr/bin/env bash
# pith inspect / compare / gates on corpus inputs: dive's efficiency numbers, the package
# databases other projects assert counts for (assembled into root filesystems), hostile ones.
source "$(dirname "$0")/lib.sh"

dive=$C/dive/test-docker-image.tar
json() { "$PITH" inspect --json "$1" >"$tmp/inspect.json" && jq -r "$2" "$tmp/inspect.json"; }

# dive's own assertions about its fixture.
expect_eq "dive efficiency" "0.9844212134184309 32025 0.4834911001404049 1220598 66237" \
  "$(json "$dive" '.efficiency | "\(.score) \(.wasted_bytes) \(.user_wasted_percent) \(.size_bytes) \(.user_size_bytes)"')"
expect_eq "dive reclaimable (5 copies of the 6405-byte somefile.txt)" 32025 "$(json "$dive" .efficiency.reclaimable_bytes)"
expect_eq "dive layer entries" "415,1,4,3,3,3,3,4,2,2,4,2,3,2" "$(json "$dive" '[.layers[].entries] | join(",")')"
expect_eq "dive size.uncompressed = sum of layer tars" "$(json "$dive" '[.layers[].uncompressed_size] | add')" "$(json "$dive" .size.uncompressed)"
expect_eq "dive files" "423 405 18 392" "$(json "$dive" '.files | "\(.entries) \(.regular) \(.directories) \(.hardlinks)"')"
expect_eq "dive shells" "/bin/sh /bin/ash /bin/busybox" "$(json "$dive" '.surface.shells | join(" ")')"

# syft's image-pkg-coverage, laid out as its Dockerfile does (COPY pkgs/ . ; COPY lib lib).
ipc=$C/syft/cmd/syft/internal/test/integration/testdata/image-pkg-coverage
mkdir -p "$tmp/ipc"
cp -r "$ipc/pkgs/." "$tmp/ipc/"
cp -r "$ipc/lib" "$tmp/ipc/"
expect_eq "image-pkg-coverage OS packages" \
  "apk libc-utils 0.7.2-r0,apk musl-utils 1.1.24-r2,deb apt 1.8.2,deb dash 0.5.8-2.4,deb netbase 5.4,rpm dive 0.9.2-1" \
  "$(json "rootfs:$tmp/ipc" '[.packages[] | select(.type == "deb" or .type == "apk" or .type == "rpm") | "\(.type) \(.name) \(.version)"] | sort | join(",")')"

# trivy's dpkg and apk files, go-rpmdb's SQLite rpmdb and trivy's Go binary in one root.
root=$tmp/root
mkdir -p "$root/var/lib/dpkg" "$root/lib/apk/db" "$root/var/lib/rpm" "$root/usr/local/bin" "$root/etc"
cp "$C/trivy/pkg/fanal/analyzer/pkg/dpkg/testdata/valid.extracted/var/lib/dpkg/status" "$root/var/lib/dpkg/"
cp "$C/trivy/pkg/fanal/analyzer/pkg/apk/testdata/apk" "$root/lib/apk/db/installed"
cp "$C/go-rpmdb/pkg/testdata/cbl-mariner-2.0/rpmdb.sqlite" "$root/var/lib/rpm/"
install -m 755 "$C/trivy/pkg/dependency/parser/golang/binary/testdata/test.elf" "$root/usr/local/bin/app"
printf 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' >"$root/etc/os-release"
expect_eq "package counts" '{"apk":15,"deb":90,"golang":5,"rpm":129}' "$(json "rootfs:$root" '.package_counts.by_type | tojson')"
expect_eq "os" "debian 12" "$(json "rootfs:$root" '.os | "\(.id) \(.version_id)"')"
expect_eq "deb purl with distro" "pkg:deb/debian/bash@4.4.18-2ubuntu1?arch=amd64&distro=debian-12" \
  "$(json "rootfs:$root" '.packages[] | select(.type == "deb" and .name == "bash") | .purl')"
expect_eq "go modules (trivy's expectations)" \
  "stdlib v1.15.2,github.com/aquasecurity/go-pep440-version v0.0.0-20210121094942-22b2f8951d46,github.com/aquasecurity/go-version v0.0.0-20210121072130-637058cfe492,golang.org/x/xerrors v0.0.0-20200804184101-5ec99f83aff1" \
  "$(json "rootfs:$root" '[.packages[] | select(.type == "golang" and .version != "") | "\(.name) \(.version)"] | join(",")')"
expect_eq "apk record without a version: one warning" 1 "$(json "rootfs:$root" '[.warnings[] | select(test("apk"))] | length')"
# The same packages through dpkg-query, an independent reader.
expect_eq "deb packages = dpkg-query" \
  "$(dpkg-query -W --admindir="$root/var/lib/dpkg" 2>/dev/null -f='${db:Status-Abbrev} ${Package} ${Version}\n' | awk '$1 == "ii" {print $2, $3}' | sort | md5sum)" \
  "$(json "rootfs:$root" '.packages[] | select(.type == "deb") | "\(.name) \(.version)"' | sort | md5sum)"

# Hostile package databases: skipped with a warning naming the file, never a crash.
mkdir -p "$tmp/bad/var/lib/dpkg" "$tmp/bad/var/lib/rpm" "$tmp/bad/lib/apk/db"
head -c 20000 /dev/urandom >"$tmp/bad/var/lib/rpm/Packages"
printf 'Package: x\nStatus: install ok installed\nVersion: \001\002\n\n\377\376garbage' >"$tmp/bad/var/lib/dpkg/status"
head -c 5000 "$C/go-rpmdb/pkg/testdata/cbl-mariner-2.0/rpmdb.sqlite" >"$tmp/bad/var/lib/rpm/rpmdb.sqlite"
head -c 3000 /dev/urandom >"$tmp/bad/lib/apk/db/installed"
expect_ok "hostile databases" "$PITH" inspect --json "rootfs:$tmp/bad"
expect_eq "hostile databases: warnings name the files" "/lib/apk/db/installed /var/lib/dpkg/status /var/lib/rpm/Packages /var/lib/rpm/rpmdb.sqlite" \
  "$(jq -r '[.warnings[] | select(test("skipped")) | split(":")[0]] | unique | join(" ")' "$tmp/out")"

# Hostile language files: a corrupt jar, a truncated Go binary, broken package.json and METADATA.
mkdir -p "$tmp/badlang/app/node_modules/left-pad" "$tmp/badlang/usr/lib/python3/x.dist-info" "$tmp/badlang/usr/bin"
{ printf 'PK\003\004'; head -c 3000 /dev/urandom; } >"$tmp/badlang/app/broken.jar"
head -c 3000 "$C/trivy/pkg/dependency/parser/golang/binary/testdata/test.elf" >"$tmp/badlang/usr/bin/app"
chmod 755 "$tmp/badlang/usr/bin/app"
printf '{"name": "left-pad", "version": [' >"$tmp/badlang/app/node_modules/left-pad/package.json"
printf 'Metadata-Version: 2.1\nSummary: no name\n' >"$tmp/badlang/usr/lib/python3/x.dist-info/METADATA"
expect_ok "hostile language files" "$PITH" inspect --json "rootfs:$tmp/badlang"
expect_eq "hostile language files: no packages, warnings name the files" \
  "0 /app/broken.jar /app/node_modules/left-pad/package.json /usr/lib/python3/x.dist-info/METADATA" \
  "$(jq -r '"\(.packages | length) " + ([.warnings[] | split(":")[0]] | unique | join(" "))' "$tmp/out")"

# CI gates: exit 1 and one line per violated gate; bad gates are usage errors.
rc=0
"$PITH" inspect --fail-on 'efficiency<0.99,shells>0,size>1GB' "$dive" >/dev/null 2>"$tmp/err" || rc=$?
expect_eq "gates: exit code" 1 "$rc"
expect_eq "gates: violated lines" "pith: gate failed: efficiency<0.99: efficiency is 0.9844212134184309
pith: gate failed: shells>0: shells is 3" "$(cat "$tmp/err")"
# A byte value is given exactly, with the threshold in bytes (MB = 10^6 bytes): rounded, 1,188,573
# bytes read "1.2 MB" and the failure of "<=1.2MB" looked wrong.
rc=0
"$PITH" inspect --fail-on 'content_size<=1.2MB,size>1MiB' "$dive" >/dev/null 2>"$tmp/err" || rc=$?
expect_eq "gates: bytes exactly" "1 pith: gate failed: content_size<=1.2MB: content_size is 1188573 bytes (1.2MB is 1200000 bytes)
pith: gate failed: size>1MiB: size is 1474458 bytes (1MiB is 1048576 bytes)" "$rc $(cat "$tmp/err")"
expect_ok "dive's CI rules pass" "$PITH" inspect --fail-on 'efficiency<0.9,wasted_bytes>20MB,user_wasted_percent>0.5' "$dive"
printf '# dive --ci rules\nefficiency<0.9  # lowestEfficiency\nwasted_bytes>20MB\n' >"$tmp/gates"
expect_ok "gates file" "$PITH" inspect --fail-on-file "$tmp/gates" "$dive"
expect_error "unknown metric" "$PITH" inspect --fail-on 'nonsense>1' "$dive"
expect_error "bad comparison" "$PITH" inspect --fail-on 'size>>1' "$dive"
expect_error "bad unit" "$PITH" inspect --fail-on 'size>1XB' "$dive"

# compare: one column per image, the same values inspect reports.
"$PITH" compare --json "$dive" "rootfs:$root" >"$tmp/cmp.json"
expect_eq "compare os_packages" "0 234" "$(jq -r '[.[].os_packages] | join(" ")' "$tmp/cmp.json")"
expect_eq "compare entries" "423 $(json "rootfs:$root" .files.entries)" "$(jq -r '[.[].entries] | join(" ")' "$tmp/cmp.json")"
expect_eq "compare table columns" 2 "$("$PITH" compare "$dive" "rootfs:$root" | awk '/^layers/ {print NF - 1}')"

finish
