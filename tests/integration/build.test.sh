#!/usr/bin/env bash
# Integration test: `pith build`, judged by running what it builds. Every image is loaded into
# podman and run; its output and exit code must equal the program's on the host (or, where the
# host cannot run it, values fixed by the program). Cases: examples/fetch against an HTTPS
# server on loopback with its own CA (--ca-bundle), and without CA certificates; closures (C++
# with threads and exceptions, RUNPATH=$ORIGIN/../lib with an own library, getpwnam as 65532,
# curl, openssl, a static binary); --from a podman-built Debian image holding a compiler;
# package records against trivy and dpkg -S; reproducible digests; the attack surface; errors.
# Independent views: podman, skopeo, umoci, the OCI schemas, trivy, dpkg, readelf, tar.
# Cached outside the repo (${XDG_CACHE_HOME:-$HOME/.cache}/pith/): the builder image of the
# --from case (fixtures/compiled, on a mmdebstrap rootfs; about 2 minutes once) and trivy
# (bench/lib/trivy.sh; taken once with npm).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
# shellcheck source=../../bench/lib/trivy.sh
source "$PITH_SRC/bench/lib/trivy.sh"
require_pith

EXAMPLE=$PITH_SRC/examples/fetch
IMAGES=$TEST_TMP/images
SRC=$TEST_TMP/src
mkdir -p "$IMAGES" "$SRC"
umask 022

# ---------------------------------------------------------------------------------------
# Helpers

# build_image NAME PITH_BUILD_ARGS...: pith build into oci:$IMAGES/NAME:1 and
# docker-archive:$IMAGES/NAME.tar (localhost/pith-test/NAME:1); a failure is reported.
build_image() {
  local name=$1 rc=0
  shift
  pith_run build -q "$@" -o "oci:$IMAGES/$name:1" \
    -o "docker-archive:$IMAGES/$name.tar:localhost/pith-test/$name:1" || rc=$?
  if [ "$rc" -ne 0 ]; then
    fail "build $name" "pith build $* -> exit $rc" "$(pith_stderr)"
    return 1
  fi
  # No image the build writes by default fails pith lint (issue #11).
  case " $* " in *" --no-verify "* | *" --allow-missing "*) return 0 ;; esac
  if "$PITH" lint --ignore PL110 "oci:$IMAGES/$name:1" >"$TEST_TMP/lint.out" 2>&1; then
    pass "pith lint: no error on $name"
  else
    fail "pith lint: no error on $name" "$(cat "$TEST_TMP/lint.out")"
  fi
}

# image_outcome NAME [PODMAN_RUN_OPTIONS...] -- [ARGS...]: loads NAME.tar into the private
# podman store (once) and runs it; prints its stdout, then "exit N". Its stderr goes to
# $TEST_TMP/run.stderr.
image_outcome() {
  local name=$1 rc=0 opts=()
  shift
  while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  if [ ! -e "$IMAGES/$name.loaded" ]; then
    ipodman load -q -i "$IMAGES/$name.tar" >/dev/null && touch "$IMAGES/$name.loaded"
  fi
  ipodman run --rm "${opts[@]}" "localhost/pith-test/$name:1" "$@" 2>"$TEST_TMP/run.stderr" ||
    rc=$?
  echo "exit $rc"
}

# host_outcome COMMAND...: the same for a command on the host.
host_outcome() {
  local rc=0
  "$@" 2>"$TEST_TMP/host.stderr" || rc=$?
  echo "exit $rc"
}

# check_runs_like_host NAME IMAGE HOST_COMMAND... -- ARGS...: the image run with ARGS prints
# what HOST_COMMAND ARGS prints on the host, with the same exit code.
check_runs_like_host() {
  local name=$1 image=$2 host=() expected actual
  shift 2
  while [ "$1" != -- ]; do host+=("$1"); shift; done
  shift
  expected=$(host_outcome "${host[@]}" "$@")
  actual=$(image_outcome "$image" -- "$@")
  check_equal "$name" "$expected" "$actual"
}

# config_of LAYOUT_REF: the image config, read by skopeo.
config_of() { skopeo inspect --config "$1"; }

# manifest_of LAYOUT_DIR: the manifest of the layout's only image, read without pith.
manifest_of() {
  local digest
  digest=$(jq -r '.manifests[0].digest' "$1/index.json")
  cat "$1/blobs/${digest/://}"
}

# dpkg_owner PATH: the package dpkg -S names for PATH, trying the path the package was built
# with on merged-/usr systems (/usr/lib/x -> /lib/x); nothing when no package owns it.
dpkg_owner() {
  local p=$1 alias=
  case $p in
    /usr/lib/* | /usr/lib64/* | /usr/bin/* | /usr/sbin/*) alias=${p#/usr} ;;
  esac
  { dpkg -S "$p" 2>/dev/null || { [ -n "$alias" ] && dpkg -S "$alias" 2>/dev/null; }; } |
    grep -v '^diversion' | sed 's/: .*//; s/:[a-z0-9]*$//; s/, /\n/g' | sed 's/:[a-z0-9]*$//'
}

# ---------------------------------------------------------------------------------------
# examples/fetch against an HTTPS server on loopback whose CA is given by --ca-bundle.

fetch_case() {
  local fetch_dir=$TEST_TMP/fetch-build certs=$TEST_TMP/certs www=$TEST_TMP/www url length
  if ! out=$(cmake -S "$EXAMPLE" -B "$fetch_dir" -G Ninja 2>&1 && ninja -C "$fetch_dir" 2>&1); then
    fail "examples/fetch builds" "$(printf '%s\n' "$out" | tail -n 20)"
    return
  fi
  "$EXAMPLE/make-certs" "$certs"
  mkdir -p "$www"
  head -c 54321 /dev/urandom >"$www/payload.bin"
  start_daemon https "$EXAMPLE/serve-https.py" "$www" "$certs/server.pem" "$certs/server.key" \
    "$TEST_TMP/port"
  for _ in $(seq 200); do [ -s "$TEST_TMP/port" ] && break; sleep 0.1; done
  url=https://127.0.0.1:$(cat "$TEST_TMP/port")/payload.bin
  length=$(wc -c <"$www/payload.bin")
  # The program on the host, trusting the demo CA: the reference.
  check_equal "fetch on the host prints the body length" "$length
exit 0" "$(SSL_CERT_FILE=$certs/ca.pem host_outcome "$fetch_dir/fetch" "$url")"

  (cd "$fetch_dir" && build_image fetch --entrypoint ./fetch --ca-bundle "$certs/ca.pem") || return
  local rc=0
  (cd "$fetch_dir" && pith_run build -q --entrypoint ./fetch --no-ca-certs -o "oci:$IMAGES/x:1") ||
    rc=$?
  check_equal "a TLS client without CA certificates: the build fails with PL111" \
    "2 pith: error: PL111 /app/fetch is a TLS client (links a TLS library) and the image has no CA certificates (/etc/ssl/certs/ca-certificates.crt or the like): certificate checks fail (--no-verify writes the image anyway; docs/rules/PL111.md)" \
    "$rc $(pith_stderr)"
  (cd "$fetch_dir" && build_image fetch-noca --entrypoint ./fetch --no-ca-certs --no-verify) || return
  check_equal "fetch image (--ca-bundle) prints the body length (wc -c)" "$length
exit 0" "$(image_outcome fetch --network host -- "$url")"
  check_equal "fetch image (--no-ca-certs) fails certificate verification" "exit 1
fetch: $url: SSL certificate problem: unable to get local issuer certificate" \
    "$(image_outcome fetch-noca --network host -- "$url"; cat "$TEST_TMP/run.stderr")"

  # What is in the image, seen by skopeo, umoci, the schemas and pith inspect.
  local config
  config=$(config_of "oci:$IMAGES/fetch:1")
  check_equal "fetch image: config Env (skopeo)" \
    '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"]' \
    "$(jq -c .config.Env <<<"$config")"
  check_equal "fetch image: config User, Entrypoint (skopeo)" '"65532" ["/app/fetch"]' \
    "$(jq -c .config.User <<<"$config") $(jq -c .config.Entrypoint <<<"$config")"
  check_equal "fetch image: layers base, libs, app (config history)" \
    "pith build: base layer,pith build: libs layer,pith build: app layer" \
    "$(jq -r '[.history[].created_by] | join(",")' <<<"$config")"
  check "fetch image: OCI layout validates (schemas, digests, diff_ids)" \
    validate_oci_layout "$IMAGES/fetch"
  local bundle=$TEST_TMP/fetch-bundle
  if umoci unpack --image "$IMAGES/fetch:1" "$bundle" >"$TEST_TMP/umoci.log" 2>&1; then
    check_equal "fetch image (umoci unpack): CA bundle is --ca-bundle's" \
      "$(sha256sum <"$certs/ca.pem")" "$(sha256sum <"$bundle/rootfs/etc/ssl/certs/ca-certificates.crt")"
    check_equal "fetch image (umoci unpack): /tmp, /home/nonroot, /root, /app/fetch" \
      "1777 0:0 700 65532:65532 700 0:0 755 0:0" \
      "$(cd "$bundle/rootfs" && stat -c '%a %u:%g' tmp home/nonroot root app/fetch | paste -sd' ')"
    check_equal "fetch image (umoci unpack): passwd has root, nobody, nonroot" \
      "root:0 nobody:65534 nonroot:65532" \
      "$(awk -F: '{printf "%s%s:%s", (NR > 1 ? " " : ""), $1, $3}' "$bundle/rootfs/etc/passwd")"
  else
    fail "fetch image: umoci unpack" "$(tail -n 5 "$TEST_TMP/umoci.log")"
  fi
  rm -rf "$bundle"

  if pith_run inspect --json "oci:$IMAGES/fetch:1" >"$TEST_TMP/fetch.json"; then
    check_equal "pith inspect fetch image: user 65532, no shells, no package managers" \
      '"65532" true [] []' \
      "$(jq -c '.surface | .user, .user_exists, .shells, .package_managers' "$TEST_TMP/fetch.json" |
        paste -sd' ')"
    check_equal "pith inspect fetch image: config env has SSL_CERT_FILE" \
      "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt" \
      "$(jq -r '.config.env[] | select(startswith("SSL_CERT_FILE="))' "$TEST_TMP/fetch.json")"
  else
    fail "pith inspect fetch image" "$(pith_stderr)"
  fi
}

# ---------------------------------------------------------------------------------------
# Closures: each image runs like the program on the host.

closure_cases() {
  # C++: threads, exceptions thrown in them and in main (libstdc++, libgcc_s's unwinder).
  cat >"$SRC/threads.cc" <<'EOF'
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
int main() {
  std::vector<long> results(6);
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i)
    threads.emplace_back([i, &results] {
      try {
        if (i % 2) throw std::runtime_error("odd thread " + std::to_string(i));
        results[i] = i * 100;
      } catch (const std::exception& e) {
        results[i] = -static_cast<long>(std::string(e.what()).size());
      }
    });
  for (auto& t : threads) t.join();
  for (long r : results) std::printf("%ld\n", r);
  try {
    throw std::logic_error("from main");
  } catch (const std::logic_error& e) {
    std::printf("caught %s\n", e.what());
  }
  return 3;
}
EOF
  g++ -O2 -pthread -o "$SRC/threads" "$SRC/threads.cc"
  (cd "$SRC" && build_image threads --entrypoint ./threads) &&
    check_runs_like_host "closure: C++ threads and exceptions run like on the host" threads \
      "$SRC/threads" --

  # RUNPATH=$ORIGIN/../lib and the program's own library: an application installed in a
  # prefix keeps its path in the image, and the closure finds the library through $ORIGIN.
  local prefix=$TEST_TMP/opt/greet
  mkdir -p "$prefix/bin" "$prefix/lib"
  printf 'const char* greet(void) { return "greetings from $ORIGIN/../lib"; }\n' >"$SRC/greet.c"
  printf '#include <stdio.h>\nconst char* greet(void);\nint main(void) { puts(greet()); return 4; }\n' \
    >"$SRC/greet-main.c"
  gcc -shared -fPIC -Wl,-soname,libgreet.so.1 -o "$prefix/lib/libgreet.so.1" "$SRC/greet.c"
  gcc -o "$prefix/bin/greet" "$SRC/greet-main.c" -L"$prefix/lib" -l:libgreet.so.1 \
    -Wl,--enable-new-dtags,-rpath,'$ORIGIN/../lib'
  check_equal "closure: test program has RUNPATH \$ORIGIN/../lib (readelf)" \
    "Library runpath: [\$ORIGIN/../lib]" \
    "$(readelf -d "$prefix/bin/greet" | grep -o 'Library runpath: .*')"
  build_image runpath --entrypoint "$prefix/bin/greet" &&
    check_runs_like_host "closure: RUNPATH \$ORIGIN/../lib program runs like on the host" runpath \
      "$prefix/bin/greet" --

  # getpwnam("nonroot"), run as the image's default user: the generated passwd and nsswitch.
  cat >"$SRC/whoami.c" <<'EOF'
#include <pwd.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
  struct passwd* pw = getpwnam("nonroot");
  if (!pw) { puts("getpwnam(nonroot) failed"); return 1; }
  printf("%s:%s:%u:%u:%s:%s:%s\n", pw->pw_name, pw->pw_passwd, (unsigned)pw->pw_uid,
         (unsigned)pw->pw_gid, pw->pw_gecos, pw->pw_dir, pw->pw_shell);
  printf("uid=%u gid=%u\n", (unsigned)getuid(), (unsigned)getgid());
  printf("home %s\n", access(pw->pw_dir, W_OK) == 0 ? "writable" : "not writable");
  return 0;
}
EOF
  gcc -O2 -o "$SRC/whoami" "$SRC/whoami.c"
  (cd "$SRC" && build_image whoami --entrypoint ./whoami) &&
    check_equal "closure: getpwnam(nonroot) as 65532 prints distroless's passwd entry" \
      "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
uid=65532 gid=65532
home writable
exit 0" "$(image_outcome whoami --)"

  build_image curl --entrypoint /usr/bin/curl &&
    check_runs_like_host "closure: /usr/bin/curl --version runs like on the host" curl \
      /usr/bin/curl -- --version
  build_image openssl --entrypoint /usr/bin/openssl &&
    check_runs_like_host "closure: /usr/bin/openssl version runs like on the host" openssl \
      /usr/bin/openssl -- version

  # A static binary: the image is the binary and a few small files (no CA bundle asked for).
  printf '#include <stdio.h>\nint main(int c, char** v) { printf("static %%d %%s\\n", c, v[c - 1]); return 5; }\n' \
    >"$SRC/static.c"
  gcc -O2 -static -o "$SRC/static" "$SRC/static.c"
  if (cd "$SRC" && build_image static --entrypoint ./static --no-ca-certs); then
    check_runs_like_host "closure: static binary runs like on the host" static "$SRC/static" -- arg
    local size binary
    binary=$(stat -c %s "$SRC/static")
    size=$(pith_run inspect --json "oci:$IMAGES/static:1" | jq .size.uncompressed)
    if [ -n "$size" ] && [ "$size" -lt $((binary + 102400)) ]; then
      pass "closure: static image ($size bytes uncompressed) < binary ($binary) + 100 KB"
    else
      fail "closure: static image < binary + 100 KB" "binary $binary, image uncompressed '$size'"
    fi
  fi
}

# ---------------------------------------------------------------------------------------
# --from an image: a program compiled in a podman-built Debian image, taken out of it.

COMPILED_NAME=localhost/pith-fixture/compiled:1
COMPILED_MMDEBSTRAP=(--variant=minbase --include=gcc,libc6-dev bookworm)

compiled_cache_key() {
  {
    cat "$INTEGRATION_DIR"/fixtures/compiled/*
    declare -f build_compiled_fixture
    echo "${COMPILED_MMDEBSTRAP[*]}"
    podman --version
  } | sha256sum | cut -c1-16
}

build_compiled_fixture() {
  local out=$1 work="$TEST_TMP/compiled-build"
  local pm=(podman --root "$work/root" --runroot "$work/run" --tmpdir "$work/tmp"
    --storage-driver overlay)
  mkdir -p "$work/ctx" "$out"
  cp "$INTEGRATION_DIR"/fixtures/compiled/* "$work/ctx/"
  mmdebstrap --quiet "${COMPILED_MMDEBSTRAP[@]}" "$work/rootfs.tar"
  "${pm[@]}" import -q "$work/rootfs.tar" localhost/pith-debian-gcc:12 >/dev/null
  rm -f "$work/rootfs.tar"
  "${pm[@]}" build --pull=never --network none -q -t "$COMPILED_NAME" \
    -f "$work/ctx/Containerfile" "$work/ctx" >/dev/null
  "${pm[@]}" save -q --format oci-archive -o "$out/oci-archive.tar" "$COMPILED_NAME"
  "${pm[@]}" rmi -af >/dev/null 2>&1 || true
  rm -rf "$work"
}

# compiled_fixture: sets COMPILED_ARCHIVE (podman save --format oci-archive).
compiled_fixture() {
  cached_fixture compiled "$(compiled_cache_key)" build_compiled_fixture
  COMPILED_ARCHIVE="$CACHED_FIXTURE/oci-archive.tar"
}

from_image_case() {
  if ! compiled_fixture; then
    fail "--from: builder image fixture (mmdebstrap + podman build)"
    return
  fi
  local from="oci-archive:$COMPILED_ARCHIVE" source_digest manifest
  build_image from-image --from "$from" --entrypoint /usr/local/bin/hello || return
  check_equal "--from image: libgreet is not on the host (ldconfig -p)" "" \
    "$(ldconfig -p | grep libgreet || true)"
  check_equal "--from image: the compiled program runs, with the image's libgreet" \
    "hello, distroless, from libgreet
sqrt(2) = 1.414214
exit 7" "$(image_outcome from-image --)"
  source_digest=$(tar -xOf "$COMPILED_ARCHIVE" index.json | jq -r '.manifests[0].digest')
  manifest=$(manifest_of "$IMAGES/from-image")
  # base.name is a registry reference (image-spec annotations.md): an archive has none.
  check_equal "--from image: manifest annotations: no base.name, base.digest (= the archive's index.json)" \
    "false $source_digest" \
    "$(jq -r '(.annotations | has("org.opencontainers.image.base.name")), .annotations["org.opencontainers.image.base.digest"]' <<<"$manifest" | paste -sd' ')"
  local layers layer
  mapfile -t layers < <(docker_archive_layers "$IMAGES/from-image.tar" "$TEST_TMP/from-archive")
  check_equal "--from image: libgreet's soname link and file are in the image (tar)" \
    "- usr/local/lib/libgreet.so.1.0
l usr/local/lib/libgreet.so.1 -> libgreet.so.1.0" \
    "$(for layer in "${layers[@]}"; do tar -tvf "$layer"; done |
      awk '$6 ~ /libgreet/ {sub(/^\.?\//, "", $6); print substr($1, 1, 1), $6, $7, $8}' |
      sed 's/ *$//' | sort)"
}

# ---------------------------------------------------------------------------------------
# Package records: trivy and pith inspect list the dpkg packages of the included files, which
# are what dpkg -S says owns them on the host (libraries, the program, /etc/debian_version).

packages_case() {
  [ -f "$IMAGES/curl.tar" ] || { fail "packages: no curl image"; return; }
  local layers dir=$TEST_TMP/curl-archive files=$TEST_TMP/curl-files
  mapfile -t layers < <(docker_archive_layers "$IMAGES/curl.tar" "$dir")
  # Every regular file of the image, the package records themselves excepted.
  for layer in "${layers[@]}"; do
    tar -tvf "$layer" | awk '$1 ~ /^-/ {print "/" $6}' | sed 's|^/\./|/|'
  done | grep -v '^/var/lib/dpkg/status.d/' | sort -u >"$files"
  local expected
  expected=$(while read -r f; do dpkg_owner "$f"; done <"$files" | sort -u |
    while read -r p; do dpkg-query -W -f='${Package}@${Version}\n' "$p"; done | sort -u)
  if pith_run inspect --json "$IMAGES/curl.tar" >"$TEST_TMP/curl.json"; then
    check_equal "packages: pith inspect lists the dpkg -S owners of the curl image's files" \
      "$expected" \
      "$(jq -r '.packages[] | select(.type == "deb") | "\(.name)@\(.version)"' "$TEST_TMP/curl.json" | sort)"
  else
    fail "packages: pith inspect curl image" "$(pith_stderr)"
  fi
  if ! trivy_ensure 2>"$TEST_TMP/trivy.err"; then
    skip "packages: trivy lists the same packages" "$(tail -n 1 "$TEST_TMP/trivy.err")"
    return
  fi
  mkdir -p "$TEST_TMP/trivy-cache"
  if "$TRIVY" image --input "$IMAGES/curl.tar" --offline-scan --skip-db-update \
    --skip-java-db-update --cache-dir "$TEST_TMP/trivy-cache" --format cyclonedx \
    --output "$TEST_TMP/trivy.json" >"$TEST_TMP/trivy.log" 2>&1; then
    check_equal "packages: trivy recognises the OS (debian, as /etc/debian_version says)" \
      "debian $(cat /etc/debian_version)" \
      "$(jq -r '.components[] | select(.type == "operating-system") | "\(.name) \(.version)"' "$TEST_TMP/trivy.json")"
    check_equal "packages: trivy lists the dpkg -S owners of the curl image's files" \
      "$expected" "$(trivy_debs "$TEST_TMP/trivy.json")"
  else
    fail "packages: trivy image" "$(tail -n 5 "$TEST_TMP/trivy.log")"
  fi
}

# ---------------------------------------------------------------------------------------
# Reproducible: the same inputs give the same digest whatever the files' mtimes, the
# environment and the umask; SOURCE_DATE_EPOCH sets `created` and every mtime.

reproducible_case() {
  [ -x "$SRC/threads" ] || { fail "reproducible: no test program"; return; }
  local a=$TEST_TMP/repro-a b=$TEST_TMP/repro-b digest_a digest_b printed
  mkdir -p "$a" "$b"
  cp "$SRC/threads" "$a/prog"
  cp "$SRC/threads" "$b/prog"
  chmod 755 "$a/prog" "$b/prog"
  touch -d '2001-02-03 04:05:06' "$a/prog"
  touch -d '2024-06-07 08:09:10' "$b/prog"
  printed=$(cd "$a" && env -u SOURCE_DATE_EPOCH TZ=UTC LANG=C "$PITH" build --entrypoint ./prog \
    -o "oci:$IMAGES/repro-a:1" 2>&1 | sed -n 's/^  -> .* \(sha256:[0-9a-f]*\)$/\1/p') || true
  (cd "$b" && umask 077 && env -u SOURCE_DATE_EPOCH TZ=Asia/Kathmandu LANG=de_DE.UTF-8 \
    LC_ALL=C.UTF-8 TMPDIR="$TEST_TMP" "$PITH" build -q --entrypoint ./prog \
    -o "oci:$IMAGES/repro-b:1") || true
  digest_a=$(manifest_digest "oci:$IMAGES/repro-a:1")
  digest_b=$(manifest_digest "oci:$IMAGES/repro-b:1")
  check_equal "reproducible: other mtimes, TZ, LANG, umask, TMPDIR give the same manifest digest" \
    "$digest_a" "$digest_b"
  check_equal "reproducible: the digest pith prints is the manifest's (skopeo)" \
    "sha256:$digest_a" "$printed"
  check_equal "reproducible: created without SOURCE_DATE_EPOCH is the epoch" \
    "1970-01-01T00:00:00Z" "$(config_of "oci:$IMAGES/repro-a:1" | jq -r .created)"

  (cd "$a" && SOURCE_DATE_EPOCH=1700000000 "$PITH" build -q --entrypoint ./prog \
    -o "oci:$IMAGES/repro-c:1") || true
  local digest_c layer mtimes
  digest_c=$(manifest_digest "oci:$IMAGES/repro-c:1")
  check_equal "reproducible: SOURCE_DATE_EPOCH=1700000000 sets created" "2023-11-14T22:13:20Z" \
    "$(config_of "oci:$IMAGES/repro-c:1" | jq -r .created)"
  if [ "$digest_c" != "$digest_a" ] && [ -n "$digest_c" ]; then
    pass "reproducible: SOURCE_DATE_EPOCH changes the digest"
  else
    fail "reproducible: SOURCE_DATE_EPOCH changes the digest" "both $digest_a"
  fi
  mtimes=$(for layer in $(manifest_of "$IMAGES/repro-c" 2>/dev/null | jq -r '.layers[].digest'); do
    TZ=UTC tar --full-time -tvzf "$IMAGES/repro-c/blobs/${layer/://}" | awk '{print $4, $5}'
  done | sort -u)
  check_equal "reproducible: every entry's mtime is SOURCE_DATE_EPOCH (tar)" \
    "2023-11-14 22:13:20" "$mtimes"
}

# ---------------------------------------------------------------------------------------
# Errors: one `pith: error:` line, exit 2, nothing written.

# check_build_error NAME EXPECTED_REGEX PITH_BUILD_ARGS...
check_build_error() {
  local name=$1 regex=$2 rc=0 out=$IMAGES/error-$RANDOM
  shift 2
  "$PITH" build "$@" -o "oci:$out:1" >/dev/null 2>"$TEST_TMP/err" || rc=$?
  local lines
  lines=$(wc -l <"$TEST_TMP/err")
  if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && grep -Eq "^pith: error: .*$regex" "$TEST_TMP/err" &&
    [ ! -e "$out" ]; then
    pass "$name"
  else
    fail "$name" "exit $rc (want 2), $lines stderr line(s) (want 1), output $([ -e "$out" ] && echo written || echo absent)" \
      "stderr: $(cat "$TEST_TMP/err")" "want a line matching: pith: error: .*$regex"
  fi
}

errors_case() {
  check_build_error "error: missing entrypoint" "/no/such/program" --entrypoint /no/such/program
  check_build_error "error: a directory as entrypoint" "/usr/bin" --entrypoint /usr/bin

  # A program whose library was removed after linking.
  local dir=$TEST_TMP/gone
  mkdir -p "$dir"
  printf 'int gone(void) { return 1; }\n' >"$dir/gone.c"
  printf 'int gone(void);\nint main(void) { return gone(); }\n' >"$dir/needs-gone.c"
  gcc -shared -fPIC -Wl,-soname,libgone.so.1 -o "$dir/libgone.so.1" "$dir/gone.c"
  gcc -o "$dir/needs-gone" "$dir/needs-gone.c" "$dir/libgone.so.1"
  rm "$dir/libgone.so.1"
  (cd "$dir" && check_build_error "error: missing library names it and who needs it" \
    "libgone\.so\.1.*needs-gone" --entrypoint ./needs-gone)
  local rc=0
  (cd "$dir" && "$PITH" build -q --entrypoint ./needs-gone --allow-missing \
    -o "oci:$IMAGES/allow-missing:1" 2>"$TEST_TMP/warn") || rc=$?
  if [ "$rc" -eq 0 ] && [ -f "$IMAGES/allow-missing/index.json" ] &&
    grep -Eq '^pith: warning: .*libgone\.so\.1.*needs-gone' "$TEST_TMP/warn"; then
    pass "error: --allow-missing builds, with a warning naming the library"
  else
    fail "error: --allow-missing builds, with a warning naming the library" "exit $rc" \
      "stderr: $(cat "$TEST_TMP/warn")"
  fi
}

# Python with its whole stdlib added: the extension modules' libraries come along (libssl
# for _ssl, libsqlite3, liblzma, ...); a script entrypoint brings the interpreter its "#!"
# line names, found through PATH for /usr/bin/env. Each compared with the host.
python_case() {
  local code='import ssl, sqlite3, hashlib, ctypes, lzma, bz2, json; print(ssl.OPENSSL_VERSION, sqlite3.sqlite_version, hashlib.sha256(b"x").hexdigest()[:8], lzma.compress(b"x")[:4], bz2.compress(b"x")[:3], ctypes.sizeof(ctypes.c_long), json.dumps([1]))'
  build_image python --entrypoint /usr/bin/python3 --add /usr/lib/python3.11 || return
  check_runs_like_host "python: ssl, sqlite3, hashlib, ctypes, lzma, bz2 and json import" \
    python /usr/bin/python3 -- -c "$code"
  mkdir -p "$SRC/script"
  printf '#!/usr/bin/env python3\nimport ssl, sys\nprint("script", sys.argv[1:], ssl.HAS_SNI)\n' \
    >"$SRC/script/hello.py"
  chmod +x "$SRC/script/hello.py"
  build_image script --entrypoint "$SRC/script/hello.py" --add /usr/lib/python3.11 || return
  check_runs_like_host "a #!/usr/bin/env python3 script entrypoint" \
    script "$SRC/script/hello.py" -- a b
}

# Rule PL107: a program under /root (0700 in the image) with the default user 65532. The build
# refuses it with the rule's line; --no-verify writes it and podman really fails to start it;
# --user 0 builds an image that runs.
root_home_case() {
  local dir=/root/pith-test-$$ rc=0
  mkdir -p "$dir" && cp /usr/bin/true "$dir/app"
  pith_run build -q --entrypoint "$dir/app" -o "oci:$IMAGES/pl107:1" || rc=$?
  check_equal "PL107: exit 2 and the rule's line" \
    "2 pith: error: PL107 $dir/app: user 65532 cannot search /root (mode 0700, owner 0:0); build with --user 0, put the program where the user can reach it, or give the host file as ./app (--no-verify writes the image anyway; docs/rules/PL107.md)" \
    "$rc $(pith_stderr)"
  build_image pl107-unverified --no-verify --entrypoint "$dir/app" || { rm -rf "$dir"; return; }
  check_equal "PL107 is right: the unverified image does not start" "exit 126" \
    "$(image_outcome pl107-unverified --)"
  grep -q "permission denied" "$TEST_TMP/run.stderr" && pass "the runtime says permission denied" ||
    fail "PL107: the runtime's reason" "$(cat "$TEST_TMP/run.stderr")"
  check_equal "pith lint of the unverified image: the same finding" \
    "error PL107 $dir/app: user 65532 cannot search /root (mode 0700, owner 0:0)" \
    "$("$PITH" lint "oci:$IMAGES/pl107-unverified:1" | head -1)"
  build_image pl107-root --user 0 --entrypoint "$dir/app" || { rm -rf "$dir"; return; }
  check_equal "with --user 0 the image starts" "exit 0" "$(image_outcome pl107-root --)"
  rm -rf "$dir"
}

# --from a registry's image: the manifest's base.name is its reference without the transport
# (the image-spec's annotations.md wants a registry reference there), base.digest its manifest's
# digest as skopeo reads it.
registry_base_case() {
  local port ref
  port=$(free_port)
  start_registry base-registry "$port" || { fail "--from docker://: the registry starts"; return; }
  ref=127.0.0.1:$port/pith/base:1
  pith_run build -q --entrypoint /usr/bin/true -o "docker://$ref" --dest-tls-verify=false ||
    { fail "--from docker://: push the base" "$(pith_stderr)"; return; }
  pith_run build -q --from "docker://$ref" --src-tls-verify=false --entrypoint /usr/bin/true \
    -o "oci:$IMAGES/registry-base:1" || { fail "build --from docker://" "$(pith_stderr)"; return; }
  check_equal "--from docker://: base.name and base.digest (skopeo inspect)" \
    "$ref $(skopeo inspect --tls-verify=false "docker://$ref" | jq -r .Digest)" \
    "$(manifest_of "$IMAGES/registry-base" | jq -r '.annotations["org.opencontainers.image.base.name"] + " " + .annotations["org.opencontainers.image.base.digest"]')"
}

# ---------------------------------------------------------------------------------------

fetch_case
registry_base_case
root_home_case
python_case
closure_cases
from_image_case
packages_case
reproducible_case
errors_case
finish build
