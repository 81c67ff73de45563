#!/usr/bin/env bash
# `pith build` without a runtime: what lands in the image (checked with GNU tar and jq), settings
# from pith.yaml and flags, errors, and --from images that try to write outside their root.
source "$(dirname "$0")/lib.sh"
make_archive="$(dirname "$0")/make_archive.py"

# The layer tars of an OCI layout, unpacked one over the other into $2 (whiteouts ignored).
unpack_layers() {
  local layout=$1 dest=$2 manifest
  mkdir -p "$dest"
  manifest=$(jq -r '.manifests[0].digest' "$layout/index.json" | cut -d: -f2)
  for layer in $(jq -r '.layers[].digest' "$layout/blobs/sha256/$manifest" | cut -d: -f2); do
    tar -xzf "$layout/blobs/sha256/$layer" -C "$dest"
  done
}
config_of() {
  local manifest
  manifest=$(jq -r '.manifests[0].digest' "$1/index.json" | cut -d: -f2)
  cat "$1/blobs/sha256/$(jq -r '.config.digest' "$1/blobs/sha256/$manifest" | cut -d: -f2)"
}
manifest_of() {
  cat "$1/blobs/sha256/$(jq -r '.manifests[0].digest' "$1/index.json" | cut -d: -f2)"
}

# --- A host program: /usr/bin/true and its closure, every base file ---
expect_ok "build true" "$PITH" build --entrypoint /usr/bin/true -o "oci:$tmp/true:1"
grep -q "^Built [0-9]* files (" "$tmp/out" && pass || fail "summary line: $(cat "$tmp/out")"
expect_eq "the digest printed for the output is its manifest's (index.json)" \
  "$(jq -r '.manifests[0].digest' "$tmp/true/index.json")" \
  "$(sed -n "s|^  -> oci:$tmp/true:1 \(sha256:[0-9a-f]\{64\}\)\$|\1|p" "$tmp/out")"
unpack_layers "$tmp/true" "$tmp/true-root"
r=$tmp/true-root
expect_eq "passwd as distroless" "root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin" "$(cat "$r/etc/passwd")"
expect_eq "nsswitch hosts" "hosts: files dns" "$(grep '^hosts:' "$r/etc/nsswitch.conf")"
expect_eq "os-release keeps the distribution" "$(. /etc/os-release; echo "$ID $VERSION_ID")" \
  "$(. "$r/etc/os-release"; echo "$ID $VERSION_ID")"
expect_eq "os-release pretty name" "Distroless" "$(. "$r/etc/os-release"; echo "$PRETTY_NAME")"
expect_eq "tmp, root, home modes and owners" "1777 0:0 700 0:0 700 65532:65532" \
  "$(stat -c '%a %u:%g' "$r/tmp" "$r/root" "$r/home/nonroot" | tr '\n' ' ' | sed 's/ $//')"
cmp -s /etc/ssl/certs/ca-certificates.crt "$r/etc/ssl/certs/ca-certificates.crt" && pass ||
  fail "the host's CA bundle is in the image"
cmp -s /usr/bin/true "$r/usr/bin/true" && pass || fail "the program is in the image"
# Every library ldd names is there under the name the loader asks for.
for lib in $(ldd /usr/bin/true | grep -o '/[^ ]*'); do
  cmp -s "$lib" "$r$lib" && pass || fail "library $lib reachable in the image"
done
# Package records: those of the packages that own the files taken, as dpkg -S names them.
# dpkg knows merged-/usr files under their old names (/bin/true), so both are asked.
owner_of() { dpkg -S "$1" 2>/dev/null || dpkg -S "${1#/usr}" 2>/dev/null; }
# base-files owns /etc/debian_version, a conffile: dpkg keeps no md5sums line for those.
owners=$(for f in /usr/bin/true $(ldd /usr/bin/true | grep -o '/[^ ]*'); do owner_of "$f"; done |
  cut -d: -f1 | sort -u | sed 's/.*/& &.md5sums/' | tr '\n' ' ' | sed 's/ $//')
owners="base-files $owners"
expect_eq "package records" "$owners" "$(ls "$r/var/lib/dpkg/status.d" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "status.d stanza is dpkg's" "$(dpkg-query -W -f='${Version}' libc6)" \
  "$(sed -n 's/^Version: //p' "$r/var/lib/dpkg/status.d/libc6")"
config=$(config_of "$tmp/true")
expect_eq "config user" "65532" "$(jq -r .config.User <<<"$config")"
expect_eq "config env" '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"]' \
  "$(jq -c .config.Env <<<"$config")"
expect_eq "config entrypoint" '["/usr/bin/true"]' "$(jq -c .config.Entrypoint <<<"$config")"
expect_eq "three layers, three history lines" "3 3" \
  "$(jq '.rootfs.diff_ids | length' <<<"$config") $(jq '.history | length' <<<"$config")"
expect_eq "created without SOURCE_DATE_EPOCH" "1970-01-01T00:00:00Z" "$(jq -r .created <<<"$config")"
expect_eq "created annotation" "1970-01-01T00:00:00Z" \
  "$(manifest_of "$tmp/true" | jq -r '.annotations["org.opencontainers.image.created"]')"

# --- VCS annotations: the commit and origin of the git checkout pith builds in (git runs while
# the build reads its files), never a URL with credentials, never over a given annotation ---
repo=$tmp/repo
mkdir -p "$repo" && git -C "$repo" init -q &&
  git -C "$repo" -c user.name=t -c user.email=t@example.org commit -q --allow-empty -m one &&
  git -C "$repo" remote add origin https://example.org/team/app.git
vcs_of() { manifest_of "$1" | jq -r '[.annotations["org.opencontainers.image.revision"], .annotations["org.opencontainers.image.source"]] | map(. // "none") | join(" ")'; }
(cd "$repo" && "$PITH" build -q --entrypoint /usr/bin/true -o "oci:$tmp/vcs1:1") && pass ||
  fail "build in a checkout"
expect_eq "revision and source are git's" "$(git -C "$repo" rev-parse HEAD) https://example.org/team/app.git" \
  "$(vcs_of "$tmp/vcs1")"
git -C "$repo" remote set-url origin https://user:secret@example.org/team/app.git
(cd "$repo" && "$PITH" build -q --entrypoint /usr/bin/true -o "oci:$tmp/vcs2:1" \
  --annotation org.opencontainers.image.revision=given) && pass || fail "build with a given revision"
expect_eq "a given revision wins; an origin with credentials is left out" "given none" \
  "$(vcs_of "$tmp/vcs2")"
mkdir -p "$tmp/no-repo" "$tmp/git-spy"
# git on PATH that notes each start, then runs git: outside a checkout pith starts none.
printf '#!/bin/sh\necho "$*" >>"%s"\nexec /usr/bin/git "$@"\n' "$tmp/git-starts" >"$tmp/git-spy/git"
chmod +x "$tmp/git-spy/git"
(cd "$tmp/no-repo" && PATH=$tmp/git-spy:$PATH "$PITH" build -q --entrypoint /usr/bin/true \
  -o "oci:$tmp/vcs3:1") && pass || fail "build outside a checkout"
expect_eq "outside a checkout: neither" "none none" "$(vcs_of "$tmp/vcs3")"
expect_eq "outside a checkout: git is not started" "0" "$(cat "$tmp/git-starts" 2>/dev/null | wc -l)"
(cd "$repo" && PATH=$tmp/git-spy:$PATH "$PITH" build -q --entrypoint /usr/bin/true \
  -o "oci:$tmp/vcs4:1") && pass || fail "build in a checkout, git spied on"
expect_eq "in a checkout: git asked for the commit and the origin" \
  "rev-parse --verify -q HEAD|config --get remote.origin.url" "$(paste -sd'|' "$tmp/git-starts")"
mkdir -p "$repo/sub/dir"
(cd "$repo/sub/dir" && "$PITH" build -q --entrypoint /usr/bin/true -o "oci:$tmp/vcs5:1") && pass ||
  fail "build in a checkout's subdirectory"
expect_eq "in a checkout's subdirectory: git's commit" "$(git -C "$repo" rev-parse HEAD)" \
  "$(vcs_of "$tmp/vcs5" | cut -d' ' -f1)"

# --- Settings: pith.yaml, flags over it, a host program under /app ---
cat >"$tmp/hello.c" <<'C'
#include <stdio.h>
int main(void) { puts("hello"); return 0; }
C
gcc -static -O2 -o "$tmp/hello" "$tmp/hello.c"
cat >"$tmp/pith.yaml" <<YAML
entrypoint: ./hello
cmd: [from-file]
env: {MODE: file}
labels: {team: web}
expose: ["8080"]
user: nobody
workdir: /app
layers: single
compress: zstd
no-ca-certs: true
outputs: ["oci:$tmp/hello-img:1"]
YAML
# Flags replace what defines the command (entrypoint, cmd) and single values; they add to lists
# and maps, a key given again (--env MODE=, --label) taking the flag's value in place.
(cd "$tmp" && SOURCE_DATE_EPOCH=1700000000 "$PITH" build -q -f pith.yaml --cmd from-flag --label tier=1 \
  --env MODE=flag --env EXTRA=1 \
  --annotation org.opencontainers.image.source=https://example.org/hello) >"$tmp/out" 2>"$tmp/err" && pass ||
  fail "build from pith.yaml: $(cat "$tmp/err")"
expect_eq "quiet build prints nothing" "" "$(cat "$tmp/out")"
config=$(config_of "$tmp/hello-img")
expect_eq "yaml and flags" '{"Cmd":["from-flag"],"Entrypoint":["/app/hello"],"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","MODE=flag","EXTRA=1"],"ExposedPorts":{"8080/tcp":{}},"Labels":{"team":"web","tier":"1"},"User":"65534","WorkingDir":"/app"}' \
  "$(jq -cS .config <<<"$config")"
expect_eq "SOURCE_DATE_EPOCH sets created" "2023-11-14T22:13:20Z" "$(jq -r .created <<<"$config")"
m=$(manifest_of "$tmp/hello-img")
expect_eq "one zstd layer" "application/vnd.oci.image.layer.v1.tar+zstd" "$(jq -r '.layers[].mediaType' <<<"$m")"
expect_eq "annotation" "https://example.org/hello" "$(jq -r '.annotations["org.opencontainers.image.source"]' <<<"$m")"
layer=$(jq -r '.layers[0].digest' <<<"$m" | cut -d: -f2)
expect_eq "static program: no libraries, no CA bundle" "app/
app/hello
etc/
etc/debian_version
etc/group
etc/nsswitch.conf
etc/os-release
etc/passwd
home/
home/nonroot/
root/
tmp/
var/
var/lib/
var/lib/dpkg/
var/lib/dpkg/status.d/
var/lib/dpkg/status.d/base-files" "$(zstd -dc "$tmp/hello-img/blobs/sha256/$layer" | tar -t)"
expect_eq "entries are mtime SOURCE_DATE_EPOCH" "1700000000" \
  "$(zstd -dc "$tmp/hello-img/blobs/sha256/$layer" | tar --full-time -tv | awk '{print $4" "$5}' | sort -u | xargs -I{} date -u -d '{}' +%s)"

# --- pith.yaml's relative paths are its folder's (as docker-compose and kustomize read theirs) ---
mkdir -p "$tmp/proj/certs" "$tmp/elsewhere"
cp "$tmp/hello" "$tmp/proj/hello"
cp /etc/ssl/certs/ca-certificates.crt "$tmp/proj/certs/ca.pem"
echo "from the project" >"$tmp/proj/motd"
cat >"$tmp/proj/pith.yaml" <<'YAML'
entrypoint: ./hello
ca-bundle: certs/ca.pem
add-host: ["motd:/etc/motd"]
outputs: ["oci:out:hello"]
YAML
(cd "$tmp/elsewhere" && "$PITH" build -q -f ../proj/pith.yaml) 2>"$tmp/err" && pass ||
  fail "build -f ../proj/pith.yaml from another folder: $(cat "$tmp/err")"
expect_eq "the file's output is written in its folder" "yes no" \
  "$([ -f "$tmp/proj/out/index.json" ] && echo yes || echo no) $([ -e "$tmp/elsewhere/out" ] && echo yes || echo no)"
unpack_layers "$tmp/proj/out" "$tmp/proj-root"
expect_eq "the file's host program, CA bundle and --add-host file" "/app/hello|from the project|same" \
  "$(config_of "$tmp/proj/out" | jq -r '.config.Entrypoint[0]')|$(cat "$tmp/proj-root/etc/motd")|$(
    cmp -s "$tmp/proj/certs/ca.pem" "$tmp/proj-root/etc/ssl/certs/ca-certificates.crt" && echo same)"
# An absolute -f as well; paths given as flags stay the current directory's, and a flag
# (--no-ca-certs) overrides the file's --ca-bundle rather than clashing with it.
(cd "$tmp/elsewhere" && "$PITH" build -q -f "$tmp/proj/pith.yaml" --no-ca-certs -o oci:flag-out:1) 2>"$tmp/err" &&
  pass || fail "build -f ABSOLUTE -o RELATIVE --no-ca-certs: $(cat "$tmp/err")"
expect_eq "-o of a flag is in the current directory" "yes" \
  "$([ -f "$tmp/elsewhere/flag-out/index.json" ] && echo yes || echo no)"
expect_eq "--no-ca-certs over the file's ca-bundle" "no" \
  "$("$PITH" ls "oci:$tmp/elsewhere/flag-out:1" | grep ca-certificates.crt >/dev/null && echo yes || echo no)"

# --- --cmd and --entrypoint take one word each, never an option that follows ---
expect_error "--cmd followed by -o" "$PITH" build --entrypoint /usr/bin/true --no-ca-certs \
  --cmd -o "oci:$tmp/outs/v2:1" -o "oci:$tmp/outs/v3:1"
expect_eq "its message" 'pith: error: --cmd: no value (an argument that starts with "-" is written --cmd=-x)' \
  "$(cat "$tmp/err")"
expect_error "--cmd with two words" "$PITH" build --entrypoint /usr/bin/true --no-ca-certs \
  --cmd a b -o "oci:$tmp/outs/v2:1"
expect_error "--entrypoint followed by an option" "$PITH" build --entrypoint --no-ca-certs \
  -o "oci:$tmp/outs/v2:1"
expect_ok "--cmd=-o, --cmd WORD" "$PITH" build --entrypoint /usr/bin/true --no-ca-certs \
  --cmd=-o --cmd "oci:not-an-output" -o "oci:$tmp/cmd-img:1"
expect_eq "the arguments, one per --cmd" '["-o","oci:not-an-output"]' \
  "$(config_of "$tmp/cmd-img" | jq -c .config.Cmd)"

# --- List flags take one word per occurrence (--env A=1 --env B=2), as podman and docker ---
for flag in --env --label --annotation --expose --add --add-host -o; do
  expect_error "$flag with two words" "$PITH" build --entrypoint /usr/bin/true --no-ca-certs \
    "$flag" a=1 b=2 -o "oci:$tmp/outs/v4:1"
  expect_eq "$flag with two words: the stray word named" \
    "pith: error: The following argument was not expected: b=2" "$(cat "$tmp/err")"
done
expect_eq "nothing written by them" "no" "$([ -e "$tmp/outs/v4" ] && echo yes || echo no)"
expect_ok "--env and --label repeated" "$PITH" build --entrypoint /usr/bin/true --no-ca-certs \
  --env A=1 --env B=2 --label x=1 --label y=2 -o "oci:$tmp/list-img:1"
expect_eq "each occurrence one value" '["A=1","B=2"] {"x":"1","y":"2"}' \
  "$(config_of "$tmp/list-img" | jq -c '[.config.Env[] | select(startswith("A=") or startswith("B="))]') $(config_of "$tmp/list-img" | jq -c .config.Labels)"

# --- Values runtimes would refuse are refused when building ---
expect_error "--stop-signal BOGUS" "$PITH" build --entrypoint /usr/bin/true --stop-signal BOGUS -o "oci:$tmp/outs/a"
expect_error "--stop-signal 0" "$PITH" build --entrypoint /usr/bin/true --stop-signal 0 -o "oci:$tmp/outs/a"
expect_error "--stop-signal 65" "$PITH" build --entrypoint /usr/bin/true --stop-signal 65 -o "oci:$tmp/outs/a"
expect_ok "--stop-signal SIGRTMIN+3" "$PITH" build --entrypoint /usr/bin/true --no-ca-certs \
  --stop-signal SIGRTMIN+3 -o "oci:$tmp/signal-img:1"
expect_eq "StopSignal as given" "SIGRTMIN+3" "$(config_of "$tmp/signal-img" | jq -r .config.StopSignal)"
expect_error "relative --workdir" "$PITH" build --entrypoint /usr/bin/true --workdir app -o "oci:$tmp/outs/a"
expect_error "--ca-bundle that holds no certificate" "$PITH" build --entrypoint /usr/bin/true \
  --ca-bundle /etc/passwd -o "oci:$tmp/outs/a"
expect_eq "its message" "pith: error: --ca-bundle /etc/passwd: no PEM certificate in it (-----BEGIN CERTIFICATE-----)" \
  "$(cat "$tmp/err")"

# --- --user NAME of the root's /etc/passwd: its uid, and its gid (the image's passwd lacks it) ---
expect_ok "--user www-data (the host's passwd)" "$PITH" build --entrypoint /usr/bin/true --no-ca-certs \
  --user www-data -o "oci:$tmp/www-img:1"
expect_eq "its uid:gid, as getent gives them" "$(getent passwd www-data | cut -d: -f3,4)" \
  "$(config_of "$tmp/www-img" | jq -r .config.User)"

# --- An Alpine root: /etc/ssl/cert.pem is its CA bundle; its users and groups ---
mkdir -p "$tmp/alpine"
tar -xzf "$C/docker-alpine/v3.10/alpine-minirootfs-3.10.9-x86_64.tar.gz" -C "$tmp/alpine"
expect_ok "build busybox from Alpine 3.10" "$PITH" build --from "$tmp/alpine" --entrypoint /bin/busybox \
  -o "oci:$tmp/alpine-img:1"
expect_eq "no warning of a missing CA bundle" "" "$(grep -i 'CA certificates' "$tmp/err")"
unpack_layers "$tmp/alpine-img" "$tmp/alpine-root"
cmp -s "$tmp/alpine/etc/ssl/cert.pem" "$tmp/alpine-root/etc/ssl/certs/ca-certificates.crt" && pass ||
  fail "Alpine's /etc/ssl/cert.pem is the image's CA bundle"
expect_eq "and where Alpine's programs look for it" "certs/ca-certificates.crt" \
  "$(readlink "$tmp/alpine-root/etc/ssl/cert.pem")"
config=$(config_of "$tmp/alpine-img")
expect_eq "SSL_CERT_FILE" "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt" \
  "$(jq -r '.config.Env[]' <<<"$config" | grep SSL_CERT_FILE)"
expect_ok "--user guest:wheel" "$PITH" build --from "$tmp/alpine" --entrypoint /bin/busybox \
  --user guest:wheel -o "oci:$tmp/alpine-wheel:1"
expect_eq "--user guest:wheel from Alpine's passwd and group" "405:10" \
  "$(config_of "$tmp/alpine-wheel" | jq -r .config.User)"
expect_ok "--user guest" "$PITH" build --from "$tmp/alpine" --entrypoint /bin/busybox --user guest \
  -o "oci:$tmp/alpine-guest:1"
expect_eq "--user guest: its primary group too" "405:100" "$(config_of "$tmp/alpine-guest" | jq -r .config.User)"

# --- A host program that finds its library through $ORIGIN keeps its place next to it ---
mkdir -p "$tmp/o/bin" "$tmp/o/lib"
echo 'int answer(void) { return 7; }' >"$tmp/o/lib/answer.c"
gcc -shared -fPIC -o "$tmp/o/lib/libanswer.so" "$tmp/o/lib/answer.c"
echo 'int answer(void); int main(void) { return answer(); }' >"$tmp/o/main.c"
gcc -o "$tmp/o/bin/prog" "$tmp/o/main.c" -L"$tmp/o/lib" -lanswer -Wl,--enable-new-dtags,-rpath,'$ORIGIN/../lib'
(cd "$tmp" && "$PITH" build -q --entrypoint ./o/bin/prog --no-ca-certs -o "oci:$tmp/origin:1") 2>"$tmp/err" && pass ||
  fail "build a host program with RUNPATH \$ORIGIN: $(cat "$tmp/err")"
expect_eq "the program and its library keep their host paths" "$tmp/o/bin/prog $tmp/o/lib/libanswer.so" \
  "$("$PITH" ls "oci:$tmp/origin:1" | awk '{print $NF}' | grep -e /o/bin/prog -e /o/lib/ | tr '\n' ' ' | sed 's/ $//')"
expect_eq "entrypoint at the host path" "[\"$tmp/o/bin/prog\"]" "$(config_of "$tmp/origin" | jq -c .config.Entrypoint)"

# --- LD_LIBRARY_PATH from --env is searched as ld.so would search it (ldd is the judge) ---
mkdir -p "$tmp/llp/lib"
cp "$tmp/o/lib/libanswer.so" "$tmp/llp/lib/"
gcc -o "$tmp/llp/prog" "$tmp/o/main.c" -L"$tmp/llp/lib" -lanswer
(cd "$tmp/llp" && "$PITH" build -q --entrypoint ./prog --env "LD_LIBRARY_PATH=/no/such/dir::$tmp/llp/lib/" \
  --no-ca-certs -o "oci:$tmp/llp-img:1") 2>"$tmp/err" && pass ||
  fail "build with --env LD_LIBRARY_PATH: $(cat "$tmp/err")"
expect_eq "--env LD_LIBRARY_PATH: the library ldd finds is in the image" \
  "$(LD_LIBRARY_PATH="$tmp/llp/lib" ldd "$tmp/llp/prog" | awk '/libanswer/ {print $3}')" \
  "$("$PITH" ls "oci:$tmp/llp-img:1" | awk '{print $NF}' | grep libanswer)"

# --- Errors: one line, exit 2, no output left ---
mkdir -p "$tmp/outs"
expect_error "no entrypoint" "$PITH" build -o "oci:$tmp/outs/a"
expect_error "no output" "$PITH" build --entrypoint /usr/bin/true
expect_error "missing program" "$PITH" build --entrypoint /usr/bin/no-such-program -o "oci:$tmp/outs/a"
expect_error "not an ELF program" "$PITH" build --entrypoint /etc/passwd -o "oci:$tmp/outs/a"
expect_error "unknown user" "$PITH" build --entrypoint /usr/bin/true --user no-such-user-pith -o "oci:$tmp/outs/a"
expect_error "unknown yaml key" "$PITH" build -f <(echo "entry: /x") -o "oci:$tmp/outs/a"
expect_error "missing ca bundle" "$PITH" build --entrypoint /usr/bin/true --ca-bundle "$tmp/none.pem" -o "oci:$tmp/outs/a"
expect_error "bad layers" "$PITH" build --entrypoint /usr/bin/true --layers two -o "oci:$tmp/outs/a"
expect_error "missing --from" "$PITH" build --from "$tmp/no-root" --entrypoint /x -o "oci:$tmp/outs/a"
# The platform is the program's: another --platform is refused (an image labelled arm64 that
# holds x86-64 files would not run there), the default comes from the ELF header.
host_arch=$(case "$(uname -m)" in x86_64) echo amd64 ;; aarch64) echo arm64 ;; *) uname -m ;; esac)
other_arch=$([ "$host_arch" = arm64 ] && echo amd64 || echo arm64)
expect_error "--platform of another architecture" "$PITH" build --platform "linux/$other_arch" \
  --entrypoint /usr/bin/true -o "oci:$tmp/outs/a"
expect_eq "its message" "pith: error: --platform linux/$other_arch: /usr/bin/true is a linux/$host_arch program" \
  "$(cat "$tmp/err")"
expect_error "--platform windows" "$PITH" build --platform "windows/$host_arch" \
  --entrypoint /usr/bin/true -o "oci:$tmp/outs/a"
expect_eq "nothing written by failed builds" "" "$(ls -A "$tmp/outs")"

# --- --from an image: layers applied in order, whiteouts honoured, nothing written outside ---
cat >"$tmp/layers.json" <<JSON
{"layers": [
  [{"path": "app", "type": "dir"},
   {"path": "app/hello", "from": "$tmp/hello", "mode": 493},
   {"path": "etc", "type": "dir"},
   {"path": "etc/secret", "content": "deleted later"},
   {"path": "etc/conf", "type": "dir"},
   {"path": "etc/conf/old", "content": "hidden by an opaque directory"},
   {"path": "up", "type": "symlink", "target": "../../../../../../tmp/pith-build-escape-$$"},
   {"path": "abs", "type": "symlink", "target": "/tmp/pith-build-escape-$$"}],
  [{"path": "etc/.wh.secret"},
   {"path": "etc/conf/.wh..wh..opq"},
   {"path": "etc/conf/new", "content": "kept"},
   {"path": "up/pwned", "content": "must stay inside the root"},
   {"path": "abs/pwned", "content": "must stay inside the root"}]
]}
JSON
python3 "$make_archive" "$tmp/made.tar" <"$tmp/layers.json"
expect_ok "build --from a docker-archive" "$PITH" build --from "docker-archive:$tmp/made.tar" \
  --entrypoint /app/hello --add /etc/conf --add /tmp/pith-build-escape-$$/pwned:/pwned -o "oci:$tmp/from:1"
expect_eq "nothing written outside the root" "no" "$([ -e /tmp/pith-build-escape-$$ ] && echo yes || echo no)"
unpack_layers "$tmp/from" "$tmp/from-root"
expect_eq "opaque directory and whiteouts applied" "new" "$(ls "$tmp/from-root/etc/conf")"
expect_eq "the write through the symlink landed inside the root" "must stay inside the root" \
  "$(cat "$tmp/from-root/pwned")"
# base.name is a registry reference in the image-spec (annotations.md): a docker-archive base has
# none, only its manifest digest.
expect_eq "base annotations: no base.name, the digest" "false sha256:" \
  "$(manifest_of "$tmp/from" | jq -r '(.annotations | has("org.opencontainers.image.base.name") | tostring) + " " + .annotations["org.opencontainers.image.base.digest"][0:7]')"
expect_error "a whited-out file is gone" "$PITH" build --from "docker-archive:$tmp/made.tar" \
  --entrypoint /app/hello --no-ca-certs --add /etc/secret -o "oci:$tmp/outs/b"

# An entry replacing a symlink (then a directory) of the same name, in the layer that made it:
# the directory being unpacked into stays open (it was closed once, EBADF).
cat >"$tmp/replace.json" <<JSON
{"layers": [
  [{"path": "x", "type": "symlink", "target": "/tmp/pith-build-escape-$$/victim"},
   {"path": "x", "content": "replaced"},
   {"path": "d", "type": "dir"},
   {"path": "d/f", "content": "gone"},
   {"path": "d", "content": "a file now"},
   {"path": "app", "type": "dir"},
   {"path": "app/hello", "from": "$tmp/hello", "mode": 493}]
]}
JSON
python3 "$make_archive" "$tmp/replace.tar" <"$tmp/replace.json"
expect_ok "build --from a layer that replaces its own entries" "$PITH" build \
  --from "docker-archive:$tmp/replace.tar" --entrypoint /app/hello --no-ca-certs --add /x --add /d \
  -o "oci:$tmp/replaced:1"
unpack_layers "$tmp/replaced" "$tmp/replaced-root"
expect_eq "the later entries won" "replaced|a file now" \
  "$(cat "$tmp/replaced-root/x")|$(cat "$tmp/replaced-root/d")"
expect_eq "nothing written through the replaced symlink" "no" \
  "$([ -e /tmp/pith-build-escape-$$ ] && echo yes || echo no)"

finish
