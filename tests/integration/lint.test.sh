#!/usr/bin/env bash
# Integration test: `pith lint`, each run-time rule judged by the runtime. For every rule an
# image that triggers it and a near-identical twin that does not; podman runs both and must
# really fail on the first (the rule is right) and start the second. Then the distroless story
# end to end: one Go HTTPS client (Debian's golang-go, CGO_ENABLED=0) packed four ways and run
# against an HTTPS server on loopback whose CA the test makes; curl the same way with the
# images pith build makes; SARIF output validated against the SARIF 2.1.0 schema.
#
# Twins are written by hand (lint_image.py) from this machine's /usr/bin/true and the files
# `ldd` (the independent tool) says it loads.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_pith

# podman names an oci: image after its path, which must be lowercase (TEST_TMP is not).
IMAGES=/tmp/pith-lint-$$
mkdir -p "$IMAGES"
on_exit_run rm -rf "$IMAGES"
TRUE_FILES=(/usr/bin/true $(ldd /usr/bin/true | grep -o '/[^ ]*' | sort -u))
LIBC=$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)
LOADER=/lib64/ld-linux-x86-64.so.2
SARIF_SCHEMA=$PITH_SRC/tests/data/sarif/sarif-schema-2.1.0.json

# twin NAME [lint_image.py OPTIONS...]: an image of /usr/bin/true's files, changed by OPTIONS.
twin() {
  local name=$1
  shift
  local host=()
  for f in "${TRUE_FILES[@]}"; do host+=(--host "$f"); done
  "$PYTHON" "$INTEGRATION_DIR/lint_image.py" "$IMAGES/$name" "${host[@]}" "$@"
}

# lint_lines IMAGE [OPTIONS...]: pith lint's finding lines, then "exit N".
lint_lines() {
  local rc=0 out
  out=$("$PITH" lint "$@" 2>"$TEST_TMP/pith.stderr") || rc=$?
  printf '%s\n' "$out" | grep -v ': [0-9]* errors\?, ' || true
  echo "exit $rc"
}

# run_outcome IMAGE [ARGS...]: podman runs the image; prints "exit N" (stderr in run.stderr).
run_outcome() {
  local image=$1 rc=0
  shift
  ipodman run --rm --network host "$image" "$@" >"$TEST_TMP/run.stdout" 2>"$TEST_TMP/run.stderr" ||
    rc=$?
  echo "exit $rc"
}

# rule_case RULE TWIN_ERR_LINES RUNTIME_MESSAGE BROKEN_OPTIONS -- CLEAN_OPTIONS: the broken image
# gives exactly the lines; podman fails on it with RUNTIME_MESSAGE in its stderr; the clean twin
# lints with no error and runs.
rule_case() {
  local rule=$1 want=$2 says=$3 broken=() clean=() got name=${1,,}
  shift 3
  while [ "$1" != -- ]; do broken+=("$1"); shift; done
  shift
  clean=("$@")
  twin "$name-broken" "${broken[@]}"
  twin "$name-clean" "${clean[@]}"
  check_equal "$rule: the finding names the file" "$want" "$(lint_lines "oci:$IMAGES/$name-broken:t")"
  got=$(run_outcome "oci:$IMAGES/$name-broken:t")
  if [ "$got" != "exit 0" ] && grep -q -- "$says" "$TEST_TMP/run.stderr"; then
    pass "$rule is right: podman fails ($got: $says)"
  else
    fail "$rule is right: podman fails with '$says'" "$got" "$(cat "$TEST_TMP/run.stderr")"
  fi
  check_equal "$rule: the twin has no error" "exit 0" \
    "$(lint_lines "oci:$IMAGES/$name-clean:t" | tail -1)"
  check_equal "$rule: the twin starts" "exit 0" "$(run_outcome "oci:$IMAGES/$name-clean:t")"
}

ROOT_RUN='{"config":{"Cmd":["/usr/bin/true"],"User":"0"}}'
# A shell-form command whose program stands behind reserved words (PL117).
SHELL_LINE='{"config":{"Cmd":["/bin/sh","-c","if true; then exec hostname; fi"],"User":"0"}}'
ROOT_WARNING="warn PL110 USER 0: the program runs as root"
ROOT_WARNING_NO_USER="warn PL110 no USER: the program runs as root"

rule_cases() {
  rule_case PL100 "error PL100 no ENTRYPOINT or CMD: the runtime has nothing to start
$ROOT_WARNING
exit 1" "no command or entrypoint provided" \
    --config '{"config":{"User":"0"}}' -- --config "$ROOT_RUN"
  rule_case PL104 "error PL104 libc.so.6: not found (needed by /usr/bin/true)
$ROOT_WARNING
exit 1" "libc.so.6: cannot open shared object file" \
    --drop "$LIBC" --config "$ROOT_RUN" -- --config "$ROOT_RUN"
  rule_case PL105 "error PL105 version GLIBC_2.34 not found in libc.so.6 (required by /usr/bin/true)
$ROOT_WARNING
exit 1" "version \`GLIBC_2.34' not found" \
    --patch "$LIBC=GLIBC_2.34:GLIBC_2.3X" --config "$ROOT_RUN" -- --config "$ROOT_RUN"
  rule_case PL103 "error PL103 /usr/bin/true: its interpreter $LOADER is not in the image
$ROOT_WARNING
exit 1" "no such file or directory" \
    --drop "$(readlink -f $LOADER)" --config "$ROOT_RUN" -- --config "$ROOT_RUN"
  rule_case PL102 "error PL102 /usr/bin/true: no execute bit (mode 0644)
$ROOT_WARNING
exit 1" "permission denied" \
    --mode /usr/bin/true=0644 --config "$ROOT_RUN" -- --config "$ROOT_RUN"
  rule_case PL101 "error PL101 /usr/bin/false: not in the image
$ROOT_WARNING
exit 1" "no such file or directory" \
    --config '{"config":{"Cmd":["/usr/bin/false"],"User":"0"}}' -- --config "$ROOT_RUN"
  rule_case PL114 "$ROOT_WARNING
error PL114 the command is in shell form (/bin/sh -c) and the image has no /bin/sh
exit 1" "no such file or directory" \
    --config '{"config":{"Cmd":["/bin/sh","-c","true"],"User":"0"}}' -- \
    --config '{"config":{"Cmd":["/bin/sh","-c","true"],"User":"0"}}' --host /bin/dash \
    --host /bin/sh
  rule_case PL117 "$ROOT_WARNING
warn PL113 /bin/sh looks users up (getpwnam, getpwuid, ...) and the image has no /etc/passwd: every lookup fails
warn PL117 the shell command runs hostname: not in the image (a path, or a name in no folder of PATH /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
warn PL201 /usr/bin/dash: a shell (an attacker's first tool)
warn PL201 /usr/bin/sh: a shell (an attacker's first tool)
exit 0" "exec: hostname: not found" \
    --config "$SHELL_LINE" --host /bin/dash --host /bin/sh -- \
    --config "$SHELL_LINE" --host /bin/dash --host /bin/sh --host /usr/bin/hostname
  rule_case PL116 "$ROOT_WARNING
error PL116 /app: its interpreter /bin/missing (#!) is not in the image
exit 1" "no such file or directory" \
    --file '/app=#!/bin/missing\n' --config '{"config":{"Cmd":["/app"],"User":"0"}}' -- \
    --file '/app=#!/usr/bin/true\n' --config '{"config":{"Cmd":["/app"],"User":"0"}}'
  rule_case PL108 "error PL108 USER nobody: no such user or group in /etc/passwd or /etc/group
error PL109 USER nobody is a name: Kubernetes runAsNonRoot cannot verify it; give the numeric uid[:gid]
exit 1" "unable to find user nobody" \
    --config '{"config":{"Cmd":["/usr/bin/true"],"User":"nobody"}}' -- \
    --config '{"config":{"Cmd":["/usr/bin/true"],"User":"65534"}}' \
    --file '/etc/passwd=nobody:x:65534:65534::/:/bin/false\n'
  rule_case PL115 "$ROOT_WARNING
error PL115 WORKDIR /usr/bin/true is not a directory
exit 1" "not a directory" \
    --config '{"config":{"Cmd":["/usr/bin/true"],"User":"0","WorkingDir":"/usr/bin/true"}}' -- \
    --config '{"config":{"Cmd":["/usr/bin/true"],"User":"0","WorkingDir":"/made/by/runc"}}'
  rule_case PL107 "error PL107 /root/app: user 65534 cannot search /root (mode 0700, owner 0:0)
exit 1" "permission denied" \
    --dir /root=0700 --file "/root/app=#!/usr/bin/true\n" \
    --file '/etc/passwd=nobody:x:65534:65534::/:/bin/false\n' \
    --config '{"config":{"Cmd":["/root/app"],"User":"65534"}}' -- \
    --dir /root=0755 --file "/root/app=#!/usr/bin/true\n" \
    --file '/etc/passwd=nobody:x:65534:65534::/:/bin/false\n' \
    --config '{"config":{"Cmd":["/root/app"],"User":"65534"}}'
  # No runtime judges these two here: podman runs an amd64 binary labelled arm64 (with a
  # warning), and a named USER runs (Kubernetes' runAsNonRoot is what refuses it).
  twin pl106 --config '{"architecture":"arm64","config":{"Cmd":["/usr/bin/true"],"User":"0"}}'
  check_equal "PL106: an amd64 program in an arm64 image" \
    "error PL106 /usr/bin/true: an ELF amd64 program in a arm64 image
$ROOT_WARNING
exit 1" "$(lint_lines "oci:$IMAGES/pl106:t")"
  check_equal "--fail-level warn fails on the warning; --ignore drops it" "exit 1 exit 0" \
    "$(lint_lines "oci:$IMAGES/pl104-clean:t" --fail-level warn | tail -1) $(lint_lines \
      "oci:$IMAGES/pl104-clean:t" --fail-level warn --ignore PL110 | tail -1)"
  check_equal "--entrypoint checks another program" "error PL101 /nope: not in the image" \
    "$(lint_lines "oci:$IMAGES/pl104-clean:t" --entrypoint /nope | head -1)"
}

# ---------------------------------------------------------------------------------------
# HTTPS on loopback: a CA and a server certificate made here, a Python server.

start_https() {
  local d=$TEST_TMP/tls
  mkdir -p "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=pith-test-ca \
    -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$d/srv.key" \
    -out "$d/srv.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\n' >"$d/ext"
  openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
    -days 2 -extfile "$d/ext" -out "$d/srv.pem" 2>/dev/null
  HTTPS_PORT=$(free_port)
  cat >"$d/server.py" <<'EOF'
import http.server, ssl, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"distroless\n" * 100
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
server.socket = ctx.wrap_socket(server.socket, server_side=True)
server.serve_forever()
EOF
  start_daemon https "$PYTHON" "$d/server.py" "$HTTPS_PORT" "$d/srv.pem" "$d/srv.key"
  wait_port "$HTTPS_PORT" "the HTTPS server" "$TEST_TMP/https.log"
  CA_PEM=$d/ca.pem
  HTTPS_URL=https://127.0.0.1:$HTTPS_PORT/
}

# ---------------------------------------------------------------------------------------
# The distroless story: a Go HTTPS client packed four ways.

go_story() {
  local src=$TEST_TMP/goapp ctx got
  mkdir -p "$src"
  cat >"$src/main.go" <<'EOF'
// Fetches a URL and prints the length of the body.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
)

func main() {
	resp, err := http.Get(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(len(body))
}
EOF
  if ! (cd "$src" && HOME=$TEST_TMP GOCACHE=$TEST_TMP/gocache GOPATH=$TEST_TMP/gopath \
    CGO_ENABLED=0 go build -o app main.go) >"$TEST_TMP/go.log" 2>&1; then
    fail "go build of the HTTPS client" "$(tail -5 "$TEST_TMP/go.log")"
    return
  fi
  debian_fixture
  ipodman load -q -i "$DEBIAN_ARCHIVE" >/dev/null
  cp "$CA_PEM" "$src/ca.pem"
  # golang-like single stage: the base distribution, the sources and the program;
  # slim multi-stage: the base distribution and the program; scratch with and without a CA.
  printf 'FROM %s\nCOPY main.go /src/main.go\nCOPY app /go/bin/app\nENTRYPOINT ["/go/bin/app"]\n' \
    "$DEBIAN_NAME" >"$src/single.Containerfile"
  printf 'FROM %s\nCOPY app /app\nUSER 65534\nENTRYPOINT ["/app"]\n' "$DEBIAN_NAME" \
    >"$src/slim.Containerfile"
  printf 'FROM scratch\nCOPY app /app\nUSER 65534\nENTRYPOINT ["/app"]\n' >"$src/scratch.Containerfile"
  printf 'FROM scratch\nCOPY app /app\nCOPY ca.pem /etc/ssl/certs/ca-certificates.crt\nUSER 65534\nENTRYPOINT ["/app"]\n' \
    >"$src/scratch-ca.Containerfile"
  for way in single slim scratch scratch-ca; do
    ipodman build --pull=never --network none -q -t "localhost/go-story/$way:1" \
      -f "$src/$way.Containerfile" "$src" >/dev/null
    ipodman save -q --format oci-archive -o "$IMAGES/go-$way.tar" "localhost/go-story/$way:1"
  done
  check_equal "Go story: scratch without certificates gets the CA rule" \
    "warn PL108 uid 65534 has no /etc/passwd entry: programs that look up their user (getpwuid, \$HOME) fail
error PL111 /app is a TLS client (Go crypto/x509) and the image has no CA certificates (/etc/ssl/certs/ca-certificates.crt or the like): certificate checks fail
exit 1" "$(lint_lines "oci-archive:$IMAGES/go-scratch.tar")"
  got=$(run_outcome localhost/go-story/scratch:1 "$HTTPS_URL")
  if [ "$got" == "exit 1" ] && grep -q "x509: " "$TEST_TMP/run.stderr"; then
    pass "Go story: ... and really fails with Go's x509 error ($(cat "$TEST_TMP/run.stderr"))"
  else
    fail "Go story: scratch without certificates fails with x509" "$got" \
      "$(cat "$TEST_TMP/run.stderr")"
  fi
  check_equal "Go story: scratch with the CA bundle: no error" "exit 0" \
    "$(lint_lines "oci-archive:$IMAGES/go-scratch-ca.tar" | tail -1)"
  check_equal "Go story: ... and it prints the body's length" "exit 0 1100" \
    "$(run_outcome localhost/go-story/scratch-ca:1 "$HTTPS_URL") $(cat "$TEST_TMP/run.stdout")"
  for way in single slim; do
    lint_lines "oci-archive:$IMAGES/go-$way.tar" >"$TEST_TMP/$way.lint"
    check_equal "Go story: $way Debian image: no run-time error" "0" \
      "$(grep -c '^error PL1' "$TEST_TMP/$way.lint" || true)"
    check "Go story: $way Debian image: surface findings (shell, package manager)" \
      grep -q -e '^warn PL201 /usr/bin/bash: ' -e '^warn PL202 /usr/bin/apt-get: ' "$TEST_TMP/$way.lint"
  done
  check_equal "Go story: the single-stage image runs as root" "warn PL110 no USER: the program runs as root" \
    "$(grep PL110 "$TEST_TMP/single.lint")"
  # SARIF, validated by an independent validator against the spec's schema.
  "$PITH" lint --sarif "oci-archive:$IMAGES/go-scratch.tar" >"$TEST_TMP/out.sarif" || true
  check "SARIF validates against the SARIF 2.1.0 schema" "$PYTHON" -c '
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft4Validator(schema).validate(json.load(open(sys.argv[2])))' \
    "$SARIF_SCHEMA" "$TEST_TMP/out.sarif"
  check_equal "SARIF: the result's rule, level and file" "PL111 error app" \
    "$(jq -r '.runs[0].results[] | select(.ruleId == "PL111") | "\(.ruleId) \(.level) \(.locations[0].physicalLocation.artifactLocation.uri)"' "$TEST_TMP/out.sarif")"
  check_equal "JSON: the findings and the summary" "PL111 error /app 1 1" \
    "$("$PITH" lint --json "oci-archive:$IMAGES/go-scratch.tar" | jq -r '(.findings[] | select(.id == "PL111") | "\(.id) \(.severity) \(.path)") + " \(.summary.error) \(.summary.warn)"')"
}

# ---------------------------------------------------------------------------------------
# PL302 on the Debian fixture against files counted without pith: the image unpacked by GNU
# tar (whiteouts applied, lib.sh), the regular files that no dpkg info/*.list names (each
# listed path's directory resolved physically), package-manager state left out.

unowned_case() {
  debian_fixture
  squashed_root "$DEBIAN_ARCHIVE" "$TEST_TMP/debian"
  local root=$TEST_TMP/debian/root expected
  expected=$(cd "$root" && {
    # Each listed path that exists, its directory resolved as `cd DIR && pwd -P` would (Python,
    # not a shell loop: four forks for each of ~9,300 paths took three minutes).
    cat var/lib/dpkg/info/*.list | sed 's|^/||' | "$PYTHON" -c '
import os, sys
root = os.getcwd()
for p in sys.stdin.read().split("\n"):
    if not p or not os.path.lexists(p):
        continue
    d = os.path.dirname(p) or "."
    if os.path.isdir(d):
        print(os.path.realpath(d)[len(root):] + "/" + os.path.basename(p))
' | sort -u >"$TEST_TMP/owned"
    find . -type f | sed 's|^\.||' |
      grep -v -E '^/(var/lib/dpkg|var/lib/apt|var/cache|var/log|var/lib/rpm|usr/lib/sysimage/rpm|lib/apk/db|etc/apk)/' |
      sort | comm -23 - "$TEST_TMP/owned" | wc -l
  })
  check_equal "PL302 on the Debian fixture: as many unowned files as tar and the dpkg lists give" \
    "$expected" \
    "$("$PITH" lint "docker-archive:$DEBIAN_ARCHIVE" | sed -n 's/^info PL302 \([0-9]*\) files.*/\1/p')"
}

# ---------------------------------------------------------------------------------------
# curl as pith build makes it: with the test CA it is clean and works; without certificates
# it gets the CA rule and curl really fails.

curl_case() {
  pith_run build -q --no-verify --no-ca-certs --entrypoint /usr/bin/curl \
    -o "docker-archive:$IMAGES/curl-noca.tar:localhost/lint/curl-noca:1" || {
    fail "build curl --no-ca-certs" "$(pith_stderr)"
    return
  }
  pith_run build -q --ca-bundle "$CA_PEM" --entrypoint /usr/bin/curl \
    -o "docker-archive:$IMAGES/curl-ca.tar:localhost/lint/curl-ca:1" || {
    fail "build curl --ca-bundle" "$(pith_stderr)"
    return
  }
  check_equal "curl without certificates gets the CA rule" \
    "error PL111 /usr/bin/curl is a TLS client (links a TLS library) and the image has no CA certificates (/etc/ssl/certs/ca-certificates.crt or the like): certificate checks fail
exit 1" "$(lint_lines "docker-archive:$IMAGES/curl-noca.tar" --ignore PL302)"
  ipodman load -q -i "$IMAGES/curl-noca.tar" >/dev/null
  ipodman load -q -i "$IMAGES/curl-ca.tar" >/dev/null
  check_equal "... and curl really fails (exit 77: no CA certificate file to read)" \
    "exit 77" "$(run_outcome localhost/lint/curl-noca:1 -sS "$HTTPS_URL")"
  # pith's base files (passwd, group, nsswitch.conf, os-release, the CA bundle) are no
  # package's: the one note.
  check_equal "curl with the CA: no finding but the note on pith's base files" \
    "info PL302 5 files
exit 0" "$(lint_lines "docker-archive:$IMAGES/curl-ca.tar" | sed 's/ are owned by.*//; s/ (.*//')"
  check_equal "... and it fetches the body" "exit 0 1100" \
    "$(run_outcome localhost/lint/curl-ca:1 -sS "$HTTPS_URL") $(wc -c <"$TEST_TMP/run.stdout")"
}

# The corpus's distroless-like images (a static program on scratch): no error, and podman
# runs the amd64 one (the Docker 25 archive holds an arm64 /hello, consistent with its label:
# right for lint, not runnable on this machine).
corpus_case() {
  local hello=$PITH_CORPUS/go-containerregistry/pkg/v1/tarball/testdata/hello-world-v25.tar
  local oras="oci-archive:$PITH_CORPUS/oras-go/content/oci/testdata/hello-world.tar:latest"
  check_equal "corpus hello-world (Docker 25 archive, arm64): only the root warning" \
    "$ROOT_WARNING_NO_USER
exit 0" "$(lint_lines "docker-archive:$hello")"
  check_equal "corpus hello-world (oras-go OCI archive, linux/amd64): only the root warning" \
    "$ROOT_WARNING_NO_USER
exit 0" "$(lint_lines --platform linux/amd64 "$oras")"
  # podman reads no Docker manifest from an OCI archive: it runs a docker-archive copy.
  "$PITH" copy -q --platform linux/amd64 "$oras" "docker-archive:$IMAGES/hello.tar:localhost/hello:1"
  check_equal "... and podman runs it" "exit 0 Hello from Docker!" \
    "$(run_outcome "docker-archive:$IMAGES/hello.tar") $(grep -m1 Hello "$TEST_TMP/run.stdout")"
}

rule_cases
corpus_case
start_https
go_story
curl_case
unowned_case
finish lint
