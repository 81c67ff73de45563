#!/usr/bin/env bash
# Integration test: `pith copy/inspect/ls` against Debian's docker-registry (distribution 2.8)
# on 127.0.0.1, judged by skopeo. Three registries: plain HTTP behind a fault-injecting proxy
# (registry/fault_proxy.py), htpasswd Basic auth behind TLS with a test CA (--cert-dir), and
# Bearer tokens from a token server written for the tests (registry/token_server.py).
# Checked: pith pushes and skopeo pulls and the reverse with identical manifest and blob
# digests; a multi-platform index round-trips; a second push uploads no blob; a push to another
# repository mounts (and says the blobs were skipped); inspect/ls stream from the registry;
# credentials from flags, auth files (namespaced keys too), credential helpers and pith
# login/logout; clear one-line errors (exit 2) for a wrong password, an unknown repository or
# tag, a plain-HTTP registry or an unknown CA (with the flag that fixes it); a dropped connection, 500 and 429 answers are
# survived; redirects to another origin are followed; tampered blob bytes fail with the digest
# named and nothing written; big blobs go in one PUT, or in PATCH chunks on request, and an
# upload dropped half-way starts again; identity tokens are traded by the OAuth2 POST.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_pith

REG_DIR="$INTEGRATION_DIR/registry"
command -v docker-registry >/dev/null || { skip registry "docker-registry is not installed"; finish registry; }

# free_port, wait_port, start_daemon and start_registry come from lib.sh.
fixture_images
IMG=oci:$FIXTURE_OCI_DIR
MULTI=oci:$PITH_CORPUS/stereoscope/pkg/image/oci/testdata/multiplatform_oci_dir
MULTI_INDEX=sha256:a1a8d08faa5fe3d2ccc0ba54874e39dede9a17120f883c5cb56f2fd9309067c8

sha_of() { sha256sum | cut -d' ' -f1; }
# raw_digest SKOPEO_ARGS... REF: sha256 of the manifest as the registry stores it.
raw_digest() { skopeo inspect --raw "$@" | sha_of; }
# blob_list LAYOUT: the layout's blob digests, sorted (what must be identical).
blob_list() { (cd "$1/blobs/sha256" && ls | LC_ALL=C sort); }
# the blobs a manifest (and its config) name
manifest_blobs() { skopeo inspect --raw "$@" | jq -r '.config.digest, .layers[].digest' | sed 's/^sha256://' | LC_ALL=C sort; }

# expect_error_line NAME LINE PITH_ARGS...: exit 2 and stderr exactly "pith: error: LINE".
expect_error_line() {
  local name=$1 want="pith: error: $2" rc=0
  shift 2
  "$PITH" "$@" >/dev/null 2>"$TEST_TMP/err" || rc=$?
  if [ "$rc" -eq 2 ] && [ "$(cat "$TEST_TMP/err")" = "$want" ]; then
    pass "$name"
  else
    fail "$name" "exit $rc (want 2), stderr (want \"$want\"):" "$(cat "$TEST_TMP/err")"
  fi
}

# ---------------------------------------------------------------------------------------
# 1. Plain HTTP, pith through the fault proxy (its log counts requests), skopeo direct.
R1=$(free_port)
start_registry plain "$R1"
P1=$(free_port)
PROXY_LOG="$TEST_TMP/proxy-requests.log"  # the proxy's own output goes to proxy.log
touch "$PROXY_LOG"
start_daemon proxy "$PYTHON" "$REG_DIR/fault_proxy.py" --port "$P1" --upstream "127.0.0.1:$R1" --log "$PROXY_LOG"
wait_port "$P1" proxy "$TEST_TMP/proxy.log"
fault() { curl -sf "http://127.0.0.1:$P1/__fault?mode=$1&count=${2:-1}" >/dev/null; }
via_proxy=docker://127.0.0.1:$P1
direct=docker://127.0.0.1:$R1
SK=(--tls-verify=false)
PLAIN=(--dest-tls-verify=false --src-tls-verify=false)

src_manifest=$(raw_digest "$IMG")
src_blobs=$(manifest_blobs "$IMG")

# pith build writes straight to the registry: the digest it prints is the one skopeo reads.
built=$("$PITH" build --entrypoint /usr/bin/true --dest-tls-verify=false -o "$direct/pith/built:1" 2>&1)
check_equal "build -o docker://: manifest digest (skopeo inspect --raw)" \
  "$(sed -n 's/^  -> .* sha256:\([0-9a-f]*\)$/\1/p' <<<"$built")" "$(raw_digest "${SK[@]}" "$direct/pith/built:1")"

# pith pushes, skopeo pulls.
check "push: pith copy oci -> docker://" "$PITH" copy -q "${PLAIN[@]}" "$IMG" "$via_proxy/pith/a:1"
check_equal "push: manifest digest (skopeo inspect --raw)" "$src_manifest" "$(raw_digest "${SK[@]}" "$direct/pith/a:1")"
check_equal "push: blob digests (skopeo inspect --raw)" "$src_blobs" "$(manifest_blobs "${SK[@]}" "$direct/pith/a:1")"
check "push: skopeo pulls what pith pushed" skopeo copy -q --src-tls-verify=false "$direct/pith/a:1" "oci:$TEST_TMP/skopeo-pulled:t"
check "push: skopeo's copy is a valid layout" validate_oci_layout "$TEST_TMP/skopeo-pulled"
check_equal "push: skopeo's copy has the source's blobs" "$(blob_list "$FIXTURE_OCI_DIR")" "$(blob_list "$TEST_TMP/skopeo-pulled")"

# skopeo pushes, pith pulls.
check "pull: skopeo pushes" skopeo copy -q --dest-tls-verify=false "$IMG" "$direct/skopeo/a:1"
check "pull: pith copy docker:// -> oci" "$PITH" copy -q "${PLAIN[@]}" "$via_proxy/skopeo/a:1" "oci:$TEST_TMP/pith-pulled:t"
check "pull: pith's copy is a valid layout" validate_oci_layout "$TEST_TMP/pith-pulled"
check_equal "pull: manifest digest" "$(raw_digest "${SK[@]}" "$direct/skopeo/a:1")" "$(raw_digest "oci:$TEST_TMP/pith-pulled:t")"
check_equal "pull: blobs" "$(blob_list "$FIXTURE_OCI_DIR")" "$(blob_list "$TEST_TMP/pith-pulled")"
check "pull: by digest" "$PITH" copy -q "${PLAIN[@]}" "$via_proxy/skopeo/a@sha256:$src_manifest" "oci:$TEST_TMP/by-digest:t"
check_equal "pull: by digest, same manifest" "$src_manifest" "$(raw_digest "oci:$TEST_TMP/by-digest:t")"

# A second push uploads nothing; a push to another repository mounts.
: >"$PROXY_LOG"
check "second push" "$PITH" copy -q "${PLAIN[@]}" "$IMG" "$via_proxy/pith/a:2"
check_equal "second push: no blob upload requests" "0" "$(grep -c '/blobs/uploads/' "$PROXY_LOG" || true)"
: >"$PROXY_LOG"
check "mount: pith copy to another repository" "$PITH" copy -q "${PLAIN[@]}" "$via_proxy/pith/a:1" "$via_proxy/pith/b:1"
n_blobs=$(wc -l <<<"$src_blobs")
check_equal "mount: every blob mounted (POST ?mount= answered 201)" "$n_blobs" "$(grep -c '^POST .*/blobs/uploads/?mount=.* 201$' "$PROXY_LOG" || true)"
check_equal "mount: no bytes sent (no PATCH/PUT of blobs)" "0" "$(grep -cE '^(PATCH|PUT) .*/blobs/uploads/' "$PROXY_LOG" || true)"
check_equal "mount: manifest digest" "$src_manifest" "$(raw_digest "${SK[@]}" "$direct/pith/b:1")"
# A mounted blob was already in the registry: counted as present and shown as skipped, as
# skopeo shows it ("skipped: already exists"), not as written.
check_equal "mount: counted as already present, none written" \
  "Copied $via_proxy/pith/a:1 to $via_proxy/pith/e:1: sha256:$src_manifest (0 blobs written, $n_blobs already present)" \
  "$("$PITH" copy "${PLAIN[@]}" "$via_proxy/pith/a:1" "$via_proxy/pith/e:1")"
script -qfec "stty cols 120; $PITH copy ${PLAIN[*]} $via_proxy/pith/a:1 $via_proxy/pith/f:1" /dev/null </dev/null >"$TEST_TMP/mount.raw"
script -qfec "stty cols 120; skopeo copy ${PLAIN[*]} $direct/pith/a:1 $direct/pith/g:1" /dev/null </dev/null >"$TEST_TMP/mount-skopeo.raw"
# progress_lines KIND CAPTURE: the final "Copying KIND" lines on the screen, spaces squeezed.
progress_lines() { tty_screen <"$2" | grep "^Copying $1 " | tr -s ' ' | sed 's/ *$//' | LC_ALL=C sort; }
check_equal "mount, tty: each layer \"skipped: already exists\", as skopeo shows it" \
  "$(progress_lines blob "$TEST_TMP/mount-skopeo.raw")" "$(progress_lines blob "$TEST_TMP/mount.raw")"
# skopeo uploads the config again; pith mounts it too, so it is skipped as well.
check_equal "mount, tty: the config is skipped too (mounted)" \
  "Copying config $(skopeo inspect --raw "${SK[@]}" "$direct/pith/a:1" | jq -r .config.digest | cut -c8-19) skipped: already exists" \
  "$(progress_lines config "$TEST_TMP/mount.raw")"

# A blob over the 32 MiB single-PUT limit streams in one PUT (the registry hashes it as it
# arrives); --dest-chunk-size sends it in PATCHes instead.
mkdir -p "$TEST_TMP/big-root"
head -c 40000000 /dev/urandom >"$TEST_TMP/big-root/random.bin"
tar -C "$TEST_TMP/big-root" -cf "$TEST_TMP/big-root.tar" .
check "big blob: make a 40 MB layer image" "$PITH" copy -q "rootfs:$TEST_TMP/big-root.tar" "oci:$TEST_TMP/big:t"
big_manifest=$(raw_digest "oci:$TEST_TMP/big:t")
# The proxy's log lines name the upload by its digest parameter; the config goes in its own.
big_layer=$(skopeo inspect --raw "oci:$TEST_TMP/big:t" | jq -r '.layers[0].digest' | cut -d: -f2)
: >"$PROXY_LOG"
check "big blob: pith pushes it" "$PITH" copy -q "${PLAIN[@]}" "oci:$TEST_TMP/big:t" "$via_proxy/pith/big:1"
check_equal "big blob: sent in one PUT with its digest, no PATCH" "1 0" \
  "$(grep -c "^PUT .*/blobs/uploads/.*$big_layer.* 201\$" "$PROXY_LOG") $(grep -c '^PATCH ' "$PROXY_LOG" || true)"
check "big blob: skopeo pulls it" skopeo copy -q --dest-oci-accept-uncompressed-layers --src-tls-verify=false "$direct/pith/big:1" "oci:$TEST_TMP/big-skopeo:t"
check_equal "big blob: same blobs" "$(blob_list "$TEST_TMP/big")" "$(blob_list "$TEST_TMP/big-skopeo")"
check_equal "big blob: same manifest" "$big_manifest" "$(raw_digest "${SK[@]}" "$direct/pith/big:1")"
: >"$PROXY_LOG"
check "chunked: pith copy --dest-chunk-size 16MiB" "$PITH" copy -q "${PLAIN[@]}" --dest-chunk-size 16MiB "oci:$TEST_TMP/big:t" "$via_proxy/pith/chunked:1"
check_equal "chunked: 3 PATCHes of 16 MiB or less, then one PUT" "3 1" \
  "$(grep -c '^PATCH .*/blobs/uploads/.* 202$' "$PROXY_LOG") $(grep -c "^PUT .*/blobs/uploads/.*$big_layer.* 201\$" "$PROXY_LOG")"
check_equal "chunked: same manifest (skopeo)" "$big_manifest" "$(raw_digest "${SK[@]}" "$direct/pith/chunked:1")"
check "chunked: skopeo pulls it" skopeo copy -q --dest-oci-accept-uncompressed-layers --src-tls-verify=false "$direct/pith/chunked:1" "oci:$TEST_TMP/chunked-skopeo:t"
check_equal "chunked: same blobs" "$(blob_list "$TEST_TMP/big")" "$(blob_list "$TEST_TMP/chunked-skopeo")"
expect_error "chunked: a bad size is one clear error" "--dest-chunk-size: unknown unit \"XB\"" copy "${PLAIN[@]}" --dest-chunk-size 5XB "oci:$TEST_TMP/big:t" "$via_proxy/pith/never:1"
# An upload that breaks half-way starts again in a new session, with the content read afresh.
: >"$PROXY_LOG"
fault dropup 1
check "upload dropped half-way: pith starts again and completes" "$PITH" copy -q "${PLAIN[@]}" "oci:$TEST_TMP/big:t" "$via_proxy/pith/dropped:1"
check_equal "upload dropped: one broken PUT; sessions: the config's, the layer's twice; one PUT done" "1 3 1" \
  "$(grep -c '^PUT .* 0$' "$PROXY_LOG") $(grep -c '^POST .*/blobs/uploads/ 202$' "$PROXY_LOG") $(grep -c "^PUT .*$big_layer.* 201\$" "$PROXY_LOG")"
check_equal "upload dropped: same manifest (skopeo)" "$big_manifest" "$(raw_digest "${SK[@]}" "$direct/pith/dropped:1")"
: >"$PROXY_LOG"
fault dropup 1
check "chunk dropped half-way: pith starts again and completes" "$PITH" copy -q "${PLAIN[@]}" --dest-chunk-size 16MiB "oci:$TEST_TMP/big:t" "$via_proxy/pith/chunk-dropped:1"
check_equal "chunk dropped: one broken PATCH; sessions: the config's, the layer's twice" "1 3" \
  "$(grep -c '^PATCH .* 0$' "$PROXY_LOG") $(grep -c '^POST .*/blobs/uploads/ 202$' "$PROXY_LOG")"
check_equal "chunk dropped: same manifest (skopeo)" "$big_manifest" "$(raw_digest "${SK[@]}" "$direct/pith/chunk-dropped:1")"
check "chunk dropped: skopeo pulls it" skopeo copy -q --dest-oci-accept-uncompressed-layers --src-tls-verify=false "$direct/pith/chunk-dropped:1" "oci:$TEST_TMP/chunk-dropped-skopeo:t"
check_equal "chunk dropped: same blobs" "$(blob_list "$TEST_TMP/big")" "$(blob_list "$TEST_TMP/chunk-dropped-skopeo")"
fault none

# A multi-platform index, both ways.
check "index: pith copy --all" "$PITH" copy -q --all "${PLAIN[@]}" "$MULTI" "$via_proxy/pith/multi:1"
check_equal "index: pushed index digest" "${MULTI_INDEX#sha256:}" "$(raw_digest "${SK[@]}" "$direct/pith/multi:1")"
check "index: skopeo copy --all pulls it" skopeo copy -q --all --src-tls-verify=false "$direct/pith/multi:1" "oci:$TEST_TMP/multi-skopeo:t"
check "index: skopeo pushes it" skopeo copy -q --all --dest-tls-verify=false "$MULTI" "$direct/skopeo/multi:1"
check "index: pith copy --all pulls it" "$PITH" copy -q --all "${PLAIN[@]}" "$via_proxy/skopeo/multi:1" "oci:$TEST_TMP/multi-pith:t"
check_equal "index: pulled index digest" "${MULTI_INDEX#sha256:}" "$(raw_digest "oci:$TEST_TMP/multi-pith:t")"
check_equal "index: pulled blobs" "$(blob_list "$TEST_TMP/multi-skopeo")" "$(blob_list "$TEST_TMP/multi-pith")"
check_equal "index: pith picks linux/arm64 from the registry" \
  "5ed07065" "$("$PITH" inspect --tls-verify=false --platform linux/arm64 --json "$via_proxy/skopeo/multi:1" | jq -r .digest | cut -c8-15)"

# inspect and ls stream from the registry: same answers as from the layout.
strip() { jq -S 'del(.reference)'; }
check_equal "inspect docker:// = inspect oci:" "$("$PITH" inspect --json "$IMG" | strip | sha_of)" \
  "$("$PITH" inspect --tls-verify=false --json "$via_proxy/pith/a:1" | strip | sha_of)"
check_equal "ls docker:// = ls oci:" "$("$PITH" ls "$IMG" | sha_of)" "$("$PITH" ls --tls-verify=false "$via_proxy/pith/a:1" | sha_of)"
check_equal "compare docker://" "2" "$("$PITH" compare --tls-verify=false --json "$via_proxy/pith/a:1" "$via_proxy/skopeo/a:1" | jq length)"

# Clear errors.
expect_error "error: unknown repository" "repository not found" copy "${PLAIN[@]}" "$via_proxy/nope/nothing:1" "oci:$TEST_TMP/never:t"
expect_error "error: unknown tag" "pith/a: tag 404 not found (tags: 1, 2)" copy "${PLAIN[@]}" "$via_proxy/pith/a:404" "oci:$TEST_TMP/never:t"
check_equal "error: nothing written" "no" "$([ -e "$TEST_TMP/never" ] && echo yes || echo no)"
# A plain-HTTP registry without --tls-verify=false (skopeo: "http: server gave HTTP response to
# HTTPS client"): one line from the first request (/v2/), naming the host and the flag as the
# command spells it; nothing about a blob, no retries.
# (skopeo, and pith's check, against the registry itself: the proxy answers a TLS hello with
# no status line, which Go takes for "not a TLS handshake".)
check "plain HTTP: skopeo refuses https to it" \
  bash -c "skopeo inspect --raw '$direct/pith/a:1' 2>&1 | grep -q 'server gave HTTP response to HTTPS client'"
expect_error_line "plain HTTP: inspect says so, with --tls-verify=false" \
  "127.0.0.1:$R1: the registry gave an HTTP response to an HTTPS request (it speaks plain HTTP); to allow plain HTTP, pass --tls-verify=false" \
  inspect "$direct/pith/a:1"
plain_refused="127.0.0.1:$P1: the registry gave an HTTP response to an HTTPS request (it speaks plain HTTP); to allow plain HTTP, pass"
: >"$PROXY_LOG"
expect_error_line "plain HTTP: push says so, with --dest-tls-verify=false" "$plain_refused --dest-tls-verify=false" \
  copy "$IMG" "$via_proxy/pith/never:1"
check_equal "plain HTTP: push stops at /v2/ (the one plain-HTTP request pith made)" "GET /v2/ 200" "$(cat "$PROXY_LOG")"
expect_error_line "plain HTTP: pull says so, with --src-tls-verify=false" "$plain_refused --src-tls-verify=false" \
  copy "$via_proxy/pith/a:1" "oci:$TEST_TMP/never:t"
expect_error_line "plain HTTP: login says so, with --tls-verify=false" "$plain_refused --tls-verify=false" \
  login --authfile "$TEST_TMP/never.json" -u someone -p something "127.0.0.1:$P1"

# Faults.
fault drop 1
: >"$PROXY_LOG"
check "fault: connection dropped mid-blob, resumed" "$PITH" copy -q "${PLAIN[@]}" "$via_proxy/pith/a:1" "oci:$TEST_TMP/dropped:t"
check "fault: resumed copy is a valid layout" validate_oci_layout "$TEST_TMP/dropped"
check_equal "fault: the resume was a range request (206)" "1" "$(grep -c '^GET .*/blobs/.* 206$' "$PROXY_LOG" || true)"
fault 500 2
check "fault: two 500 answers, then success" "$PITH" copy -q "${PLAIN[@]}" "$via_proxy/pith/a:1" "oci:$TEST_TMP/after500:t"
fault 429 1
start=$(date +%s.%N)
check "fault: 429 with Retry-After" "$PITH" copy -q "${PLAIN[@]}" "$via_proxy/pith/a:1" "oci:$TEST_TMP/after429:t"
check_equal "fault: Retry-After (1 s) was honoured" "yes" "$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {print (e - s >= 1) ? "yes" : "no"}')"
fault 500 20
expect_error "fault: 500 for ever gives up with a clear error" "HTTP 500" copy "${PLAIN[@]}" "$via_proxy/pith/a:1" "oci:$TEST_TMP/never500:t"
fault none
# Registries send blob GETs elsewhere (blob storage): followed, and still verified.
fault redirect
: >"$PROXY_LOG"
check "redirect: pith follows 307s to another origin" "$PITH" copy -q "${PLAIN[@]}" "$via_proxy/pith/a:1" "oci:$TEST_TMP/redirected:t"
check_equal "redirect: every blob GET was answered 307" "$n_blobs" "$(grep -c '^GET .*/blobs/sha256:.* 307$' "$PROXY_LOG" || true)"
check_equal "redirect: same blobs" "$(blob_list "$FIXTURE_OCI_DIR")" "$(blob_list "$TEST_TMP/redirected")"
check_equal "redirect: same manifest" "$src_manifest" "$(raw_digest "oci:$TEST_TMP/redirected:t")"
fault none
fault tamper
expect_error "fault: tampered blob fails naming it" "digest mismatch" copy "${PLAIN[@]}" "$via_proxy/pith/a:1" "oci:$TEST_TMP/tampered:t"
check_equal "fault: tampered: nothing written" "no" "$([ -e "$TEST_TMP/tampered" ] && echo yes || echo no)"
fault none

# ---------------------------------------------------------------------------------------
# 2. Basic auth (htpasswd) behind TLS with a test CA.
CERTS="$TEST_TMP/certs"
mkdir -p "$CERTS"
(
  cd "$CERTS"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj "/CN=pith test CA" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\n' >san.ext
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile san.ext 2>/dev/null
)
CA_DIR="$TEST_TMP/ca-dir"   # only the CA: the --cert-dir given to pith and skopeo
mkdir -p "$CA_DIR"
cp "$CERTS/ca.crt" "$CA_DIR/"
htpasswd -Bbn tester s3cret-pass >"$TEST_TMP/htpasswd" 2>/dev/null
R2=$(free_port)
start_registry basic "$R2" \
  "http: {addr: 127.0.0.1:$R2, tls: {certificate: $CERTS/server.pem, key: $CERTS/server.key}}" \
  "auth: {htpasswd: {realm: pith-test, path: $TEST_TMP/htpasswd}}"
B=docker://127.0.0.1:$R2
check "basic+tls: pith pushes with --dest-creds and --dest-cert-dir" \
  "$PITH" copy -q --dest-cert-dir "$CA_DIR" --dest-creds tester:s3cret-pass "$IMG" "$B/pith/a:1"
check_equal "basic+tls: skopeo sees the manifest" "$src_manifest" \
  "$(raw_digest --cert-dir "$CA_DIR" --creds tester:s3cret-pass "$B/pith/a:1")"
check "basic+tls: skopeo pushes" skopeo copy -q --dest-cert-dir "$CA_DIR" --dest-creds tester:s3cret-pass "$MULTI" "$B/skopeo/m:1"
check "basic+tls: pith pulls" "$PITH" copy -q --src-cert-dir "$CA_DIR" --src-creds tester:s3cret-pass "$B/skopeo/m:1" "oci:$TEST_TMP/basic-pulled:t"
check_equal "basic+tls: pulled manifest digest" "$(raw_digest --cert-dir "$CA_DIR" --creds tester:s3cret-pass "$B/skopeo/m:1")" \
  "$(raw_digest "oci:$TEST_TMP/basic-pulled:t")"
# An unknown CA: one line naming the host, the command's --cert-dir flag and containers' certs.d.
ca_refused() {
  echo "127.0.0.1:$R2: the registry's TLS certificate is signed by an unknown authority (SSL certificate problem: unable to get local issuer certificate); give its CA with $1 DIR (a directory holding it as ca.crt), or put it in /etc/containers/certs.d/127.0.0.1:$R2/ca.crt"
}
expect_error_line "basic+tls: unknown CA: inspect names --cert-dir and certs.d" "$(ca_refused --cert-dir)" \
  inspect --creds tester:s3cret-pass "$B/pith/a:1"
expect_error_line "basic+tls: unknown CA: push names --dest-cert-dir" "$(ca_refused --dest-cert-dir)" \
  copy --dest-creds tester:s3cret-pass "$IMG" "$B/pith/never:1"
expect_error_line "basic+tls: unknown CA: login names --cert-dir" "$(ca_refused --cert-dir)" \
  login --authfile "$TEST_TMP/never.json" -u tester -p s3cret-pass "127.0.0.1:$R2"
# Without --cert-dir, containers' certs.d/HOST:PORT/ is read (here the per-user one, under
# $HOME/.config), as skopeo reads it.
CERTS_HOME="$TEST_TMP/certs-home"
mkdir -p "$CERTS_HOME/.config/containers/certs.d/127.0.0.1:$R2"
cp "$CERTS/ca.crt" "$CERTS_HOME/.config/containers/certs.d/127.0.0.1:$R2/"
check_equal "certs.d: skopeo reads HOST:PORT/ca.crt" "$src_manifest" \
  "$(HOME="$CERTS_HOME" raw_digest --creds tester:s3cret-pass "$B/pith/a:1")"
check_equal "certs.d: pith too (no --cert-dir)" "sha256:$src_manifest" \
  "$(HOME="$CERTS_HOME" "$PITH" inspect --creds tester:s3cret-pass --json "$B/pith/a:1" | jq -r .digest)"
check "basic+tls: --tls-verify=false accepts it" "$PITH" ls --tls-verify=false --creds tester:s3cret-pass "$B/pith/a:1"
expect_error "basic+tls: wrong password" "wrong user name or password" inspect --cert-dir "$CA_DIR" --creds tester:bad-pass-xyz "$B/pith/a:1"
check_equal "basic+tls: the password is never printed" "0" "$(grep -c -e bad-pass-xyz -e s3cret "$TEST_TMP/err" || true)"
expect_error "basic+tls: no credentials" "authentication required" inspect --cert-dir "$CA_DIR" --authfile /dev/null "$B/pith/a:1"

# Credentials from files: pith login/logout, containers' auth.json, Docker's config.json with
# a credential helper.
AUTH="$TEST_TMP/auth.json"
check "login: pith login" bash -c "printf 's3cret-pass' | '$PITH' login --authfile '$AUTH' --cert-dir '$CA_DIR' -u tester --password-stdin 127.0.0.1:$R2"
check_equal "login: auth.json entry (base64 user:password)" "$(printf tester:s3cret-pass | base64)" "$(jq -r ".auths[\"127.0.0.1:$R2\"].auth" "$AUTH")"
check_equal "login: file mode 0600" "600" "$(stat -c %a "$AUTH")"
check "login: pith uses --authfile" "$PITH" ls --cert-dir "$CA_DIR" --authfile "$AUTH" "$B/pith/a:1"
check "login: skopeo accepts pith's auth file" skopeo inspect --raw --cert-dir "$CA_DIR" --authfile "$AUTH" "$B/pith/a:1"
check "login: pith uses \$REGISTRY_AUTH_FILE" env REGISTRY_AUTH_FILE="$AUTH" "$PITH" ls --cert-dir "$CA_DIR" "$B/pith/a:1"
expect_error "login: wrong password is refused and not stored" "wrong user name or password" \
  login --authfile "$TEST_TMP/auth2.json" --cert-dir "$CA_DIR" -u tester -p nope "127.0.0.1:$R2"
check_equal "login: nothing stored after a failed login" "no" "$([ -e "$TEST_TMP/auth2.json" ] && echo yes || echo no)"
check "logout: pith logout" "$PITH" logout --authfile "$AUTH" "127.0.0.1:$R2"
check_equal "logout: entry gone" "null" "$(jq -r ".auths[\"127.0.0.1:$R2\"]" "$AUTH")"
expect_error "logout: not logged in" "not logged in" logout --authfile "$AUTH" "127.0.0.1:$R2"
# A namespace's own entry (containers-auth.json(5)): `pith login HOST:PORT/team` stores it under
# that key, as `podman login` does, and the most specific key matching a repository wins, as
# skopeo reads the file. The registry's entry holds a wrong password, to tell which was used.
check "namespace: skopeo pushes team/app" skopeo copy -q --dest-cert-dir "$CA_DIR" --dest-creds tester:s3cret-pass "$IMG" "$B/team/app:1"
NS_AUTH="$TEST_TMP/ns-auth.json"
check "namespace: pith login HOST:PORT/team" \
  bash -c "printf 's3cret-pass' | '$PITH' login --authfile '$NS_AUTH' --cert-dir '$CA_DIR' -u tester --password-stdin 127.0.0.1:$R2/team"
check_equal "namespace: stored under HOST:PORT/team alone" "127.0.0.1:$R2/team" "$(jq -r '.auths | keys[]' "$NS_AUTH")"
jq --arg k "127.0.0.1:$R2" --arg a "$(printf tester:wrong-pass | base64)" '.auths[$k] = {auth: $a}' "$NS_AUTH" >"$NS_AUTH.new"
mv "$NS_AUTH.new" "$NS_AUTH"
check_equal "namespace: skopeo reads team/app with the team's entry" "$src_manifest" \
  "$(raw_digest --cert-dir "$CA_DIR" --authfile "$NS_AUTH" "$B/team/app:1")"
check_equal "namespace: pith reads team/app with the team's entry" "sha256:$src_manifest" \
  "$("$PITH" inspect --cert-dir "$CA_DIR" --authfile "$NS_AUTH" --json "$B/team/app:1" | jq -r .digest)"
check "namespace: skopeo uses the registry's entry (wrong password) for pith/a" \
  bash -c "! skopeo inspect --raw --cert-dir '$CA_DIR' --authfile '$NS_AUTH' '$B/pith/a:1' >/dev/null 2>&1"
expect_error "namespace: so does pith" "wrong user name or password" \
  inspect --cert-dir "$CA_DIR" --authfile "$NS_AUTH" "$B/pith/a:1"
expect_error "namespace: team is not a prefix of teamx" "wrong user name or password" \
  inspect --cert-dir "$CA_DIR" --authfile "$NS_AUTH" "$B/teamx/app:1"
expect_error "namespace: a tag cannot name credentials" "not for a tag or digest" \
  login --authfile "$NS_AUTH" --cert-dir "$CA_DIR" -u tester -p s3cret-pass "127.0.0.1:$R2/team/app:1"
check "namespace: pith logout HOST:PORT/team" "$PITH" logout --authfile "$NS_AUTH" "127.0.0.1:$R2/team"
check_equal "namespace: logout leaves the registry's entry" "127.0.0.1:$R2" "$(jq -r '.auths | keys[]' "$NS_AUTH")"

mkdir -p "$TEST_TMP/docker-config" "$TEST_TMP/bin"
printf '{"credHelpers": {"127.0.0.1:%s": "pithtest"}}\n' "$R2" >"$TEST_TMP/docker-config/config.json"
cat >"$TEST_TMP/bin/docker-credential-pithtest" <<HELPER
#!/bin/sh
read -r server
[ "\$1" = get ] && [ "\$server" = "127.0.0.1:$R2" ] || { echo "credentials not found in native keychain"; exit 1; }
echo '{"ServerURL": "127.0.0.1:$R2", "Username": "tester", "Secret": "s3cret-pass"}'
HELPER
chmod +x "$TEST_TMP/bin/docker-credential-pithtest"
check "config.json: credential helper" env PATH="$TEST_TMP/bin:$PATH" DOCKER_CONFIG="$TEST_TMP/docker-config" \
  REGISTRY_AUTH_FILE="$TEST_TMP/none.json" XDG_CONFIG_HOME="$TEST_TMP/xdg" "$PITH" ls --cert-dir "$CA_DIR" "$B/pith/a:1"
printf '{"auths": {"https://127.0.0.1:%s/v1/": {"auth": "%s"}}}\n' "$R2" "$(printf tester:s3cret-pass | base64)" \
  >"$TEST_TMP/docker-config/config.json"
check "config.json: auths entry" env DOCKER_CONFIG="$TEST_TMP/docker-config" REGISTRY_AUTH_FILE="$TEST_TMP/none.json" \
  XDG_CONFIG_HOME="$TEST_TMP/xdg" "$PITH" ls --cert-dir "$CA_DIR" "$B/pith/a:1"

# ---------------------------------------------------------------------------------------
# 3. Bearer tokens from the test token server.
TOK="$TEST_TMP/token"
mkdir -p "$TOK"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TOK/key.pem" -out "$TOK/cert.pem" -days 2 -subj "/CN=pith token signer" 2>/dev/null
T1=$(free_port)
TOKEN_LOG="$TEST_TMP/token-requests.log"
touch "$TOKEN_LOG"
IDTOKEN=pith-idt-7f3a9c21e8  # the identity (OAuth2 refresh) token the token server knows
start_daemon token "$PYTHON" "$REG_DIR/token_server.py" --port "$T1" --key "$TOK/key.pem" --cert "$TOK/cert.pem" \
  --user tester --password t0ken-pass --refresh-token "$IDTOKEN" --log "$TOKEN_LOG"
wait_port "$T1" "token server" "$TEST_TMP/token.log"
R3=$(free_port)
start_registry bearer "$R3" \
  "auth: {token: {realm: \"http://127.0.0.1:$T1/token\", service: pith-registry, issuer: pith-test, rootcertbundle: $TOK/cert.pem}}"
BR=docker://127.0.0.1:$R3
: >"$TOKEN_LOG"
check "bearer: pith pushes" "$PITH" copy -q --dest-tls-verify=false --dest-creds tester:t0ken-pass "$IMG" "$BR/pith/a:1"
check_equal "bearer: one token, scope pull,push, reused for every request" \
  "token repository:pith/a:pull,push tester 200" "$(cat "$TOKEN_LOG")"
check_equal "bearer: skopeo sees the manifest" "$src_manifest" "$(raw_digest --tls-verify=false --creds tester:t0ken-pass "$BR/pith/a:1")"
check "bearer: skopeo pushes" skopeo copy -q --dest-tls-verify=false --dest-creds tester:t0ken-pass "$IMG" "$BR/skopeo/a:1"
: >"$TOKEN_LOG"
check "bearer: pith pulls" "$PITH" copy -q --src-tls-verify=false --src-creds tester:t0ken-pass "$BR/skopeo/a:1" "oci:$TEST_TMP/bearer-pulled:t"
check_equal "bearer: pull scope" "token repository:skopeo/a:pull tester 200" "$(cat "$TOKEN_LOG")"
check_equal "bearer: pulled blobs" "$(blob_list "$FIXTURE_OCI_DIR")" "$(blob_list "$TEST_TMP/bearer-pulled")"
: >"$TOKEN_LOG"
check "bearer: mount across repositories" "$PITH" copy -q "${PLAIN[@]}" --src-creds tester:t0ken-pass --dest-creds tester:t0ken-pass "$BR/pith/a:1" "$BR/pith/c:1"
check_equal "bearer: mount token scopes" "token repository:pith/c:pull,push repository:pith/a:pull tester 200" "$(grep pith/c "$TOKEN_LOG")"
expect_error "bearer: wrong password" "wrong user name or password" inspect --tls-verify=false --creds tester:bad "$BR/pith/a:1"
expect_error "bearer: anonymous is denied" "authentication required" inspect --tls-verify=false --authfile /dev/null "$BR/pith/a:1"

# Identity tokens (OAuth2 refresh tokens: `identitytoken` in config.json, or a credential helper
# answering Username "<token>") are traded by a form POSTed to the realm, grant_type=refresh_token,
# as docker and containers/image do; never sent as Basic, never printed.
IDT_AUTH="$TEST_TMP/idtoken.json"
printf '{"auths": {"127.0.0.1:%s": {"identitytoken": "%s"}}}\n' "$R3" "$IDTOKEN" >"$IDT_AUTH"
IDT_HOME="$TEST_TMP/idt-home"  # ~/.docker/config.json holding only the identity token
mkdir -p "$IDT_HOME/.docker"
cp "$IDT_AUTH" "$IDT_HOME/.docker/config.json"
# only_home_config COMMAND...: COMMAND seeing no credential file but $IDT_HOME/.docker/config.json
only_home_config() {
  env -u DOCKER_CONFIG -u XDG_CONFIG_HOME -u XDG_RUNTIME_DIR HOME="$IDT_HOME" \
    REGISTRY_AUTH_FILE="$TEST_TMP/none.json" "$@"
}
: >"$TOKEN_LOG"
check "identity token: pith pushes (--authfile)" "$PITH" copy -q --dest-tls-verify=false --authfile "$IDT_AUTH" "$IMG" "$BR/pith/idt:1"
check_equal "identity token: one POST refresh_token grant, client pith, scope pull,push" \
  "oauth refresh_token pith pith-registry repository:pith/idt:pull,push 200" "$(cat "$TOKEN_LOG")"
check_equal "identity token: pushed manifest (skopeo inspect --raw)" "$src_manifest" \
  "$(raw_digest --tls-verify=false --creds tester:t0ken-pass "$BR/pith/idt:1")"
check_equal "identity token: pushed blobs (skopeo)" "$src_blobs" \
  "$(manifest_blobs --tls-verify=false --creds tester:t0ken-pass "$BR/pith/idt:1")"
# As `docker login` stores it: "auth" is base64 "tester:" (no password) beside the token, which
# wins. skopeo 1.9 (containers/image 5.23) needs that "auth" to read the entry at all.
IDT_LOGIN_AUTH="$TEST_TMP/idtoken-login.json"
printf '{"auths": {"127.0.0.1:%s": {"auth": "%s", "identitytoken": "%s"}}}\n' "$R3" "$(printf tester: | base64)" "$IDTOKEN" \
  >"$IDT_LOGIN_AUTH"
: >"$TOKEN_LOG"
check "identity token: skopeo reads with docker login's form" skopeo inspect --raw --tls-verify=false --authfile "$IDT_LOGIN_AUTH" "$BR/pith/idt:1"
check_equal "identity token: skopeo's request is the same grant (the server speaks containers/image's OAuth2)" \
  "oauth refresh_token containers/image pith-registry repository:pith/idt:pull 200" "$(cat "$TOKEN_LOG")"
: >"$TOKEN_LOG"
check_equal "identity token: pith reads docker login's form (same listing as skopeo's image)" "$("$PITH" ls "$IMG" | sha_of)" \
  "$("$PITH" ls --tls-verify=false --authfile "$IDT_LOGIN_AUTH" "$BR/pith/idt:1" | sha_of)"
check_equal "identity token: docker login's form: the token is used, not \"tester:\"" \
  "oauth refresh_token pith pith-registry repository:pith/idt:pull 200" "$(cat "$TOKEN_LOG")"
: >"$TOKEN_LOG"
check "identity token: pith pulls (~/.docker/config.json)" \
  only_home_config "$PITH" copy -q --src-tls-verify=false "$BR/skopeo/a:1" "oci:$TEST_TMP/idt-pulled:t"
check_equal "identity token: pull scope" "oauth refresh_token pith pith-registry repository:skopeo/a:pull 200" "$(cat "$TOKEN_LOG")"
check_equal "identity token: pulled manifest digest" "$(raw_digest --tls-verify=false --creds tester:t0ken-pass "$BR/skopeo/a:1")" \
  "$(raw_digest "oci:$TEST_TMP/idt-pulled:t")"
check_equal "identity token: pulled blobs" "$(blob_list "$FIXTURE_OCI_DIR")" "$(blob_list "$TEST_TMP/idt-pulled")"
printf '{"auths": {"127.0.0.1:%s": {"identitytoken": "wrong-idt-s3cret"}}}\n' "$R3" >"$TEST_TMP/idtoken-bad.json"
: >"$TOKEN_LOG"
expect_error "identity token: a wrong one is refused" \
  "127.0.0.1:$R3/pith/idt: token server: identity token refused (invalid_grant, HTTP 400)" \
  inspect --tls-verify=false --authfile "$TEST_TMP/idtoken-bad.json" "$BR/pith/idt:1"
check_equal "identity token: no secret in the error" "0" "$(grep -c -e wrong-idt -e "$IDTOKEN" "$TEST_TMP/err" || true)"
check_equal "identity token: refused once (no retry, no GET fallback)" \
  "oauth refresh_token pith pith-registry repository:pith/idt:pull 400" "$(cat "$TOKEN_LOG")"
# A token server without OAuth2 answers the POST 404: an error, not the GET flow (which only
# a user name and password can use).
curl -sf "http://127.0.0.1:$T1/__oauth?post=off" >/dev/null
: >"$TOKEN_LOG"
expect_error "identity token: POST answered 404" \
  "127.0.0.1:$R3/pith/idt: token server: it does not take identity tokens (HTTP 404 to the OAuth2 POST)" \
  inspect --tls-verify=false --authfile "$IDT_AUTH" "$BR/pith/idt:1"
check_equal "identity token: 404: no secret in the error" "0" "$(grep -c -e "$IDTOKEN" "$TEST_TMP/err" || true)"
check_equal "identity token: 404: one POST, no GET fallback" \
  "oauth refresh_token pith pith-registry repository:pith/idt:pull 404" "$(cat "$TOKEN_LOG")"
curl -sf "http://127.0.0.1:$T1/__oauth?post=on" >/dev/null
# The same token from a credential helper.
mkdir -p "$TEST_TMP/idt-helper-config"
printf '{"credHelpers": {"127.0.0.1:%s": "pithidt"}}\n' "$R3" >"$TEST_TMP/idt-helper-config/config.json"
cat >"$TEST_TMP/bin/docker-credential-pithidt" <<HELPER
#!/bin/sh
read -r server
[ "\$1" = get ] && [ "\$server" = "127.0.0.1:$R3" ] || { echo "credentials not found in native keychain"; exit 1; }
echo '{"ServerURL": "127.0.0.1:$R3", "Username": "<token>", "Secret": "$IDTOKEN"}'
HELPER
chmod +x "$TEST_TMP/bin/docker-credential-pithidt"
with_idt_helper() {
  env PATH="$TEST_TMP/bin:$PATH" DOCKER_CONFIG="$TEST_TMP/idt-helper-config" \
    REGISTRY_AUTH_FILE="$TEST_TMP/none.json" XDG_CONFIG_HOME="$TEST_TMP/xdg" "$@"
}
: >"$TOKEN_LOG"
check "identity token: credential helper: pith pushes" \
  with_idt_helper "$PITH" copy -q --dest-tls-verify=false "$IMG" "$BR/pith/idt-helper:1"
check_equal "identity token: credential helper: push grant" \
  "oauth refresh_token pith pith-registry repository:pith/idt-helper:pull,push 200" "$(cat "$TOKEN_LOG")"
check_equal "identity token: credential helper: pushed manifest (skopeo)" "$src_manifest" \
  "$(raw_digest --tls-verify=false --creds tester:t0ken-pass "$BR/pith/idt-helper:1")"
: >"$TOKEN_LOG"
check "identity token: credential helper: pith pulls" \
  with_idt_helper "$PITH" copy -q --src-tls-verify=false "$BR/pith/idt-helper:1" "oci:$TEST_TMP/idt-helper-pulled:t"
check_equal "identity token: credential helper: pull grant" \
  "oauth refresh_token pith pith-registry repository:pith/idt-helper:pull 200" "$(cat "$TOKEN_LOG")"
check_equal "identity token: credential helper: pulled manifest digest" "$src_manifest" \
  "$(raw_digest "oci:$TEST_TMP/idt-helper-pulled:t")"
# A Basic-only registry cannot take an identity token.
printf '{"auths": {"127.0.0.1:%s": {"identitytoken": "%s"}}}\n' "$R2" "$IDTOKEN" >"$TEST_TMP/idtoken-basic.json"
expect_error "identity token: a Basic-only registry" "127.0.0.1:$R2/pith/a: the registry asks for Basic authentication" \
  inspect --cert-dir "$CA_DIR" --authfile "$TEST_TMP/idtoken-basic.json" "$B/pith/a:1"
check_equal "identity token: Basic-only: no secret in the error" "0" "$(grep -c -e "$IDTOKEN" "$TEST_TMP/err" || true)"

finish registry
