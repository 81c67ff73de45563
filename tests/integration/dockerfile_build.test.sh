#!/usr/bin/env bash
# `pith build -f Dockerfile` as its users drive it (the conformance of the images against
# podman's is dockerfile_conformance.test.sh's job):
#   - a multi-stage build FROM an OCI layout and FROM a registry (podman's short name, with
#     --tls-verify=false), its image run by podman, its config read by skopeo;
#   - the cache: an unchanged Dockerfile is served whole from it, a changed context file
#     rebuilds from its COPY on, --no-cache rebuilds everything; SOURCE_DATE_EPOCH makes two
#     cold builds byte-identical;
#   - --target, --build-arg, --network none, CONTEXT and file-kind detection, -t;
#   - a failed RUN: its status and last output lines in one error line, no output written,
#     nothing left mounted, running or in the store's scratch; the same after SIGINT/SIGTERM;
#   - lint's run-time rules at the end (an error stops the build, --no-verify writes it anyway);
#   - the errors a user meets first (unknown instruction, missing source, forward --from).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_pith

if [ "$(id -u)" != 0 ] || ! command -v runc >/dev/null; then
  skip dockerfile_build "needs root and runc"
  finish dockerfile_build
fi

STORE=$TEST_TMP/store
ALPINE=$TEST_TMP/alpine
"$PITH" copy -q "rootfs:$(alpine_minirootfs)" "oci:$ALPINE:3.19"

# leftovers: mounts under the store, steps' directories, runc containers named pith-*.
leftovers() {
  grep -F "$STORE" /proc/self/mountinfo || true
  find "$STORE/runs" -mindepth 1 -maxdepth 1 2>/dev/null || true
  runc list -q 2>/dev/null | grep '^pith-' || true
}

# build CTX ARGS...: pith build -f CTX/Dockerfile with the test's store; stderr kept.
build() {
  local ctx=$1
  shift
  "$PITH" build -f "$ctx/Dockerfile" --store "$STORE" "$@" 2>"$TEST_TMP/build.err"
}

config_of() { skopeo inspect --config "$1" | jq -c "$2"; }

# ---------------------------------------------------------------------------------------
# A multi-stage build: a base stage with ARG/ENV/RUN/COPY/WORKDIR/USER, then FROM scratch with
# COPY --from of busybox and its loader.
CTX=$TEST_TMP/ctx
mkdir -p "$CTX/sub"
echo data >"$CTX/a.txt"
echo below >"$CTX/sub/b.txt"
echo secret >"$CTX/ignored.key"
printf '*.key\n' >"$CTX/.dockerignore"
cat >"$CTX/Dockerfile" <<EOF
FROM oci:$ALPINE:3.19 AS base
ARG MSG=hello
ENV GREETING=\$MSG
RUN echo "\$GREETING from \$(id -un)" > /hello && rm /etc/motd
COPY . /app/
WORKDIR /app/w
USER nobody
RUN id -u > /tmp/uid && pwd > /tmp/pwd

FROM scratch
COPY --from=base /hello /tmp/uid /tmp/pwd /out/
COPY --from=base /bin/busybox /bin/
COPY --from=base /lib/ld-musl-x86_64.so.1 /lib/
COPY --from=base /app /app
ENV PATH=/bin
ENTRYPOINT ["/bin/busybox"]
CMD ["cat", "/out/hello", "/out/uid", "/out/pwd"]
EOF
if out=$(build "$CTX" -o "oci-archive:$TEST_TMP/one.tar:one"); then
  pass "multi-stage build"
else
  fail "multi-stage build" "$(cat "$TEST_TMP/build.err")"
fi
check_equal "summary: every step, none from cache" "Built 16 steps (0 from cache), 4 layers" \
  "$(head -n1 <<<"$out")"
check_equal "the printed digest is skopeo's" \
  "$(skopeo inspect --format '{{.Digest}}' "oci-archive:$TEST_TMP/one.tar:one")" \
  "$(sed -n 's/^  -> .* //p' <<<"$out")"
check_equal "config: Entrypoint, Cmd, Env (skopeo)" \
  '[["/bin/busybox"],["cat","/out/hello","/out/uid","/out/pwd"],["PATH=/bin"]]' \
  "$(config_of "oci-archive:$TEST_TMP/one.tar:one" '[.config.Entrypoint,.config.Cmd,.config.Env]')"
ipodman load -q -i "$TEST_TMP/one.tar" >/dev/null
check_equal "the image runs under podman: RUN's user, ENV and WORKDIR applied" \
  "$(printf 'hello from root\n65534\n/app/w')" \
  "$(ipodman run --rm --network none localhost/one 2>&1 || true)"
check_equal ".dockerignore: the excluded file is not copied (the Dockerfile is, as in Docker)" \
  "/app/.dockerignore /app/Dockerfile /app/a.txt /app/sub /app/sub/b.txt /app/w" \
  "$(ipodman run --rm --network none --entrypoint /bin/busybox localhost/one find /app -mindepth 1 | sort | xargs)"
check_equal "nothing left mounted or in the store's scratch" "" "$(leftovers)"

# The cache: unchanged -> every layer step from it; a changed file -> from its COPY on.
out=$(build "$CTX" -o "oci:$TEST_TMP/again:1")
check_equal "unchanged: every layer step from the cache" \
  "Built 16 steps (8 from cache), 4 layers" "$(head -n1 <<<"$out")"
check_equal "unchanged: the same layers" \
  "$(config_of "oci-archive:$TEST_TMP/one.tar:one" .rootfs.diff_ids)" \
  "$(config_of "oci:$TEST_TMP/again:1" .rootfs.diff_ids)"
if umoci unpack --image "$TEST_TMP/again:1" "$TEST_TMP/umoci-bundle" >/dev/null 2>&1; then
  check_equal "umoci unpacks the OCI layout: the RUN's file" "hello from root" \
    "$(cat "$TEST_TMP/umoci-bundle/rootfs/out/hello")"
else
  fail "umoci unpacks the OCI layout" "$(umoci unpack --image "$TEST_TMP/again:1" "$TEST_TMP/umoci-bundle" 2>&1 | tail -3)"
fi
echo changed >"$CTX/sub/b.txt"
out=$(build "$CTX" -o "oci:$TEST_TMP/again:2")
check_equal "a context file changed: its COPY and what follows run again" \
  "Built 16 steps (1 from cache), 4 layers" "$(head -n1 <<<"$out")"
echo data >"$CTX/ignored.key.new" && mv "$CTX/ignored.key.new" "$CTX/other.key"
out=$(build "$CTX" -o "oci:$TEST_TMP/again:3")
check_equal "an excluded file added: nothing runs again" \
  "Built 16 steps (8 from cache), 4 layers" "$(head -n1 <<<"$out")"
out=$(build "$CTX" --no-cache -o "oci:$TEST_TMP/again:4")
check_equal "--no-cache: nothing from the cache" \
  "Built 16 steps (0 from cache), 4 layers" "$(head -n1 <<<"$out")"

# Reproducible: SOURCE_DATE_EPOCH and --no-cache twice give one digest.
d1=$(SOURCE_DATE_EPOCH=1700000000 build "$CTX" --no-cache -q -o "oci:$TEST_TMP/repro:1" &&
  skopeo inspect --format '{{.Digest}}' "oci:$TEST_TMP/repro:1")
d2=$(SOURCE_DATE_EPOCH=1700000000 build "$CTX" --no-cache -q -o "oci:$TEST_TMP/repro:2" &&
  skopeo inspect --format '{{.Digest}}' "oci:$TEST_TMP/repro:2")
check_equal "SOURCE_DATE_EPOCH: two cold builds, one digest" "$d1" "$d2"
check_equal "SOURCE_DATE_EPOCH: the config's created" '"2023-11-14T22:13:20Z"' \
  "$(config_of "oci:$TEST_TMP/repro:1" .created)"

# ---------------------------------------------------------------------------------------
# FROM a registry, named as podman users write it.
PORT=$(free_port)
start_registry registry "$PORT"
"$PITH" copy -q --dest-tls-verify=false "oci:$ALPINE:3.19" "docker://127.0.0.1:$PORT/alpine:3.19"
REG=$TEST_TMP/reg
mkdir -p "$REG"
printf 'FROM 127.0.0.1:%s/alpine:3.19\nRUN echo from-registry > /r\nCMD ["cat", "/r"]\n' "$PORT" \
  >"$REG/Dockerfile"
expect_error "FROM a plain-http registry without --tls-verify=false" "127.0.0.1:$PORT" \
  build -f "$REG/Dockerfile" --store "$STORE" -o "oci:$TEST_TMP/reg-out:1"
if build "$REG" --tls-verify=false -q -o "oci-archive:$TEST_TMP/reg.tar:reg"; then
  ipodman load -q -i "$TEST_TMP/reg.tar" >/dev/null
  check_equal "FROM 127.0.0.1:PORT/alpine:3.19 (--tls-verify=false): the image runs" \
    from-registry "$(ipodman run --rm --network none localhost/reg 2>&1 || true)"
else
  fail "FROM 127.0.0.1:PORT/alpine:3.19 (--tls-verify=false)" "$(cat "$TEST_TMP/build.err")"
fi
check_equal "the pulled base is kept in the store: the registry is not asked again" "" \
  "$(stop_daemon registry >/dev/null 2>&1; build "$REG" -q -o "oci:$TEST_TMP/reg-out:2" 2>&1 ||
    cat "$TEST_TMP/build.err")"

# ---------------------------------------------------------------------------------------
# --target, --build-arg, --network none, CONTEXT and file-kind detection.
T=$TEST_TMP/target
mkdir -p "$T/files"
echo in-context >"$T/files/f"
cat >"$T/build.Dockerfile" <<EOF
ARG BASE=oci:$ALPINE:3.19
FROM \$BASE AS first
ARG WHO=nobody
RUN echo "first \$WHO" > /who
FROM first AS net
RUN cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' ' | sort | xargs > /ifaces
FROM first AS broken
RUN exit 7
EOF
check "--target: a later broken stage is not built" \
  "$PITH" build -q -f "$T/build.Dockerfile" --store "$STORE" --target first \
  --build-arg WHO=me -o "oci:$TEST_TMP/target-out:1"
run_in() { ipodman run --rm --network none "$1" "${@:2}" 2>&1 || true; }
"$PITH" copy -q "oci:$TEST_TMP/target-out:1" "oci-archive:$TEST_TMP/target.tar:t" &&
  ipodman load -q -i "$TEST_TMP/target.tar" >/dev/null
check_equal "--build-arg WHO=me reaches RUN" "first me" "$(run_in localhost/t cat /who)"
"$PITH" build -q -f "$T/build.Dockerfile" --store "$STORE" --target net --network none \
  -o "oci-archive:$TEST_TMP/net.tar:net" && ipodman load -q -i "$TEST_TMP/net.tar" >/dev/null
check_equal "--network none: RUN sees only lo" "lo" "$(run_in localhost/net cat /ifaces)"
"$PITH" build -q -f "$T/build.Dockerfile" --store "$STORE" --target net --no-cache \
  -o "oci-archive:$TEST_TMP/net2.tar:net2" && ipodman load -q -i "$TEST_TMP/net2.tar" >/dev/null
# veth* come and go with the containers other tests start meanwhile (podman's bridge).
check_equal "default network: RUN sees the host's interfaces" \
  "$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | grep -v '^veth' | sort | xargs)" \
  "$(run_in localhost/net2 cat /ifaces | tr ' ' '\n' | grep -v '^veth' | xargs)"

# CONTEXT defaults to the Dockerfile's folder; a Containerfile in CONTEXT is found without -f.
C=$TEST_TMP/containerfile
mkdir -p "$C"
echo payload >"$C/payload"
printf 'FROM oci:%s:3.19\nCOPY payload /payload\n' "$ALPINE" >"$C/Containerfile"
check "a Containerfile in CONTEXT is built without -f" \
  "$PITH" build -q --store "$STORE" "$C" -o "oci:$TEST_TMP/cf:1"
check "-f Containerfile, CONTEXT its folder" \
  "$PITH" build -q --store "$STORE" -f "$C/Containerfile" -o "oci:$TEST_TMP/cf:2"
printf 'FROM oci:%s:3.19\nCOPY payload /payload\n' "$ALPINE" >"$TEST_TMP/odd-name"
check "-f a file whose first instruction is FROM, with CONTEXT" \
  "$PITH" build -q --store "$STORE" -f "$TEST_TMP/odd-name" "$C" -o "oci:$TEST_TMP/cf:3"
expect_error "CONTEXT without a Dockerfile: a stray word" "The following argument was not expected: $TEST_TMP" \
  build --from / --entrypoint /bin/true "$TEST_TMP" -o "oci:$TEST_TMP/x:1"
expect_error "a pith.yaml flag with a Dockerfile" "--entrypoint: not with a Dockerfile" \
  build -f "$C/Containerfile" --entrypoint /bin/sh -o "oci:$TEST_TMP/x:1"

# -t into podman's image store, through its API service as containers-storage: writes (here the
# test's own podman, the service on its storage).
start_podman_service
check "-t NAME:TAG stores into podman's image store" \
  env CONTAINER_HOST="unix://$PODMAN_SOCK" "$PITH" build -q --store "$STORE" \
  -f "$C/Containerfile" -t localhost/pith-dockerfile-test:1
check_equal "podman sees the tagged image's file" payload \
  "$(run_in localhost/pith-dockerfile-test:1 cat /payload)"

# ---------------------------------------------------------------------------------------
# Heredocs (RUN alone and feeding a command, COPY), ADD of a URL (with and without --checksum)
# and of a local tar.gz (extracted).
H=$TEST_TMP/heredoc
mkdir -p "$H/srv" "$H/ctx/tree/d"
echo "remote content" >"$H/srv/file.txt"
echo inside >"$H/ctx/tree/d/f"
tar -czf "$H/ctx/tree.tar.gz" -C "$H/ctx/tree" --owner=7 --group=8 d
HTTP_PORT=$(free_port)
start_daemon http "$PYTHON" -m http.server "$HTTP_PORT" --bind 127.0.0.1 --directory "$H/srv"
wait_port "$HTTP_PORT" http "$TEST_TMP/http.log"
SUM=$(sha256sum "$H/srv/file.txt" | cut -d' ' -f1)
cat >"$H/ctx/Dockerfile" <<EOF
FROM oci:$ALPINE:3.19
ARG NAME=world
RUN <<EOT
echo "hello \$NAME" > /greeting
echo two >> /greeting
EOT
RUN cat <<EOT > /cat-out
line \$NAME
EOT
COPY <<EOT /etc/app.conf
name=\${NAME}
quoted="x"
EOT
ADD http://127.0.0.1:$HTTP_PORT/file.txt /downloads/
ADD --checksum=sha256:$SUM http://127.0.0.1:$HTTP_PORT/file.txt /checked.txt
ADD tree.tar.gz /unpacked/
CMD ["sh", "-c", "cat /greeting /cat-out /etc/app.conf /checked.txt; stat -c '%a %u:%g %n' /downloads/file.txt /etc/app.conf /unpacked/d/f"]
EOF
if build "$H/ctx" -q -o "oci-archive:$TEST_TMP/heredoc.tar:heredoc"; then
  ipodman load -q -i "$TEST_TMP/heredoc.tar" >/dev/null
  check_equal "heredocs, ADD URL (0600, Docker's), ADD --checksum, ADD of a tar.gz (owners kept)" \
    "$(printf 'hello world\ntwo\nline world\nname=world\nquoted="x"\nremote content\n600 0:0 /downloads/file.txt\n644 0:0 /etc/app.conf\n644 7:8 /unpacked/d/f')" \
    "$(run_in localhost/heredoc)"
else
  fail "heredocs and ADD" "$(cat "$TEST_TMP/build.err")"
fi
printf 'FROM scratch\nADD --checksum=sha256:%064d http://127.0.0.1:%s/file.txt /x\n' 0 "$HTTP_PORT" \
  >"$H/Dockerfile"
expect_error "ADD --checksum: a mismatch is an error" "its sha256 is $SUM, --checksum says" \
  build -f "$H/Dockerfile" --store "$STORE" -o "oci:$TEST_TMP/e:1"

# COPY --parents (BuildKit's): sources keep their paths, below a "./" pivot when there is one.
P=$TEST_TMP/parents
mkdir -p "$P/src/a/b" "$P/x/y"
echo 1 >"$P/src/a/b/one.txt"
echo 2 >"$P/src/a/two.txt"
echo 3 >"$P/x/y/three"
printf 'FROM oci:%s:3.19\nCOPY --parents src/a/b/one.txt src/a/two.txt /dest/\nCOPY --parents ./x/./y/three /piv/\nCMD ["find", "/dest", "/piv"]\n' \
  "$ALPINE" >"$P/Dockerfile"
if build "$P" -q -o "oci-archive:$TEST_TMP/parents.tar:parents"; then
  ipodman load -q -i "$TEST_TMP/parents.tar" >/dev/null
  check_equal "COPY --parents" \
    "/dest /dest/src /dest/src/a /dest/src/a/b /dest/src/a/b/one.txt /dest/src/a/two.txt /piv /piv/y /piv/y/three" \
    "$(run_in localhost/parents | xargs)"
else
  fail "COPY --parents" "$(cat "$TEST_TMP/build.err")"
fi

# RUN --mount: bind (context and stage), cache (kept between builds), tmpfs, secret (file and
# env); none of them in the image; a bind source's change runs the step again.
M=$TEST_TMP/mounts
mkdir -p "$M/data"
echo bound >"$M/data/x"
echo s3cret >"$TEST_TMP/secret.txt"
cat >"$M/Dockerfile" <<EOF
FROM oci:$ALPINE:3.19 AS src
RUN echo from-stage > /stagefile
FROM oci:$ALPINE:3.19
RUN --mount=type=bind,source=data,target=/mnt/data cat /mnt/data/x > /out-1-bind
RUN --mount=type=bind,from=src,source=/stagefile,target=/sf cat /sf > /out-2-stage
RUN --mount=type=cache,target=/var/cache/x sh -c 'echo run >> /var/cache/x/log; wc -l < /var/cache/x/log > /out-3-cache'
RUN --mount=type=tmpfs,target=/scratch sh -c 'echo t > /scratch/t; ls /scratch > /out-4-tmpfs'
RUN --mount=type=secret,id=tok cat /run/secrets/tok > /out-5-secret
RUN --mount=type=secret,id=tok,env=TOKEN sh -c 'echo \$TOKEN > /out-6-env'
CMD ["sh", "-c", "cat /out-*; ls -d /mnt/data /sf /scratch /var/cache/x /run/secrets 2>/dev/null | wc -l"]
EOF
mount_build() { build "$M" -q --secret id=tok,src="$TEST_TMP/secret.txt" "$@"; }
if mount_build -o "oci-archive:$TEST_TMP/mounts.tar:mounts" &&
  mount_build --no-cache -o "oci-archive:$TEST_TMP/mounts2.tar:mounts2"; then
  ipodman load -q -i "$TEST_TMP/mounts.tar" >/dev/null
  ipodman load -q -i "$TEST_TMP/mounts2.tar" >/dev/null
  check_equal "RUN --mount: bind, stage bind, cache, tmpfs, secret file and env; no mountpoint left" \
    "$(printf 'bound\nfrom-stage\n1\nt\ns3cret\ns3cret\n0')" "$(run_in localhost/mounts)"
  check_equal "RUN --mount=type=cache: its content outlives the build" 2 \
    "$(run_in localhost/mounts2 cat /out-3-cache)"
  check_equal "RUN --mount: no mountpoint or secret file in any layer" "" \
    "$("$PITH" ls "oci-archive:$TEST_TMP/mounts.tar:mounts" | grep -E ' /(run/secrets|mnt/data|sf|scratch|var/cache/x)( |$)' || true)"
  echo changed >"$M/data/x"
  out=$(build "$M" --secret id=tok,src="$TEST_TMP/secret.txt" -o "oci:$TEST_TMP/mounts-out:1")
  check_equal "RUN --mount=type=bind: a changed source runs the step again" \
    "Built 10 steps (1 from cache), 7 layers" "$(head -n1 <<<"$out")"
else
  fail "RUN --mount" "$(cat "$TEST_TMP/build.err")"
fi
printf 'FROM oci:%s:3.19\nRUN --mount=type=secret,id=missing,required=true true\n' "$ALPINE" >"$M/Dockerfile"
expect_error "RUN --mount: a required secret not given" "secret missing: required" \
  build -f "$M/Dockerfile" --store "$STORE" -o "oci:$TEST_TMP/e:1"

# On a terminal: podman's STEP lines and RUN's output as it comes; in a pipe, neither.
S=$TEST_TMP/steps
mkdir -p "$S"
printf 'FROM oci:%s:3.19 AS one\nRUN echo streamed-line\nFROM one\nCOPY Dockerfile /\n' "$ALPINE" \
  >"$S/Dockerfile"
tty_out=$(script -qfec "'$PITH' build --store '$STORE' -f '$S/Dockerfile' --no-cache -o 'oci:$TEST_TMP/steps-out:1'" /dev/null |
  tr -d '\r' | sed 's/\x1b\[[0-9;]*[A-Za-z]//g')
check_equal "terminal: STEP lines and RUN's output, in order" \
  "$(printf '[1/2] STEP 1/2: FROM oci:%s:3.19 AS one\n[1/2] STEP 2/2: RUN echo streamed-line\nstreamed-line\n[2/2] STEP 1/2: FROM one\n[2/2] STEP 2/2: COPY Dockerfile /' "$ALPINE")" \
  "$(grep -E 'STEP|^streamed-line' <<<"$tty_out")"
check_equal "a pipe: no STEP line, no RUN output" "" \
  "$(build "$S" --no-cache -o "oci:$TEST_TMP/steps-out:2" | grep -E 'STEP|streamed' || true)"

# ---------------------------------------------------------------------------------------
# A failed RUN: one error line with the status and the last output; nothing written or left.
F=$TEST_TMP/fail
mkdir -p "$F"
# stdout and stderr are two pipes, with no order between them (as in podman): the pause gives
# the lines one order (they came out swapped once on a loaded machine without it).
printf 'FROM oci:%s:3.19\nRUN echo out-1; sleep 0.3; echo err-1 >&2; exit 3\n' "$ALPINE" >"$F/Dockerfile"
expect_error "failed RUN: status and last lines in the error" \
  "Dockerfile:2: /bin/sh -c echo out-1; sleep 0.3; echo err-1 >&2; exit 3: exited with status 3; last output: out-1; err-1" \
  build -f "$F/Dockerfile" --store "$STORE" -o "oci:$TEST_TMP/failed:1" -o "oci-archive:$TEST_TMP/failed.tar:x"
check_equal "failed RUN: no output written" "" \
  "$(ls -d "$TEST_TMP/failed" "$TEST_TMP/failed.tar" 2>/dev/null || true)"
check_equal "failed RUN: nothing mounted, running or left in the store's scratch" "" "$(leftovers)"

# Interrupted in the middle of a RUN: the container killed, everything undone, pith ends by the
# signal.
printf 'FROM oci:%s:3.19\nRUN sleep 121.5\n' "$ALPINE" >"$F/Dockerfile"
for sig in INT TERM; do
  "$PITH" build -f "$F/Dockerfile" --store "$STORE" --no-cache -o "oci:$TEST_TMP/sig:1" \
    >/dev/null 2>&1 &
  pid=$!
  for ((i = 0; i < 200; i++)); do pgrep -f '^sleep 121.5$' >/dev/null && break; sleep 0.1; done
  kill -"$sig" "$pid"
  rc=0
  wait "$pid" || rc=$?
  check_equal "SIG$sig during RUN: pith ends by the signal" "$((128 + $(kill -l "$sig")))" "$rc"
  check_equal "SIG$sig during RUN: nothing mounted, running or left" "" "$(leftovers)"
  check_equal "SIG$sig during RUN: no output" "" "$(ls -d "$TEST_TMP/sig" 2>/dev/null || true)"
done

# ---------------------------------------------------------------------------------------
# lint's run-time rules on the result: busybox without its loader cannot start.
L=$TEST_TMP/lint
mkdir -p "$L"
printf 'FROM oci:%s:3.19 AS b\nFROM scratch\nCOPY --from=b /bin/busybox /bin/sh\nCMD ["/bin/sh"]\n' \
  "$ALPINE" >"$L/Dockerfile"
expect_error "lint: an image that cannot start is not written" \
  "PL103 /bin/sh: its interpreter /lib/ld-musl-x86_64.so.1 is not in the image" \
  build -f "$L/Dockerfile" --store "$STORE" -o "oci:$TEST_TMP/lint-out:1"
check "lint: --no-verify writes it anyway" \
  "$PITH" build -q -f "$L/Dockerfile" --store "$STORE" --no-verify -o "oci:$TEST_TMP/lint-out:1"

# ---------------------------------------------------------------------------------------
# The errors met first.
E=$TEST_TMP/errors
mkdir -p "$E"
printf 'FROM scratch\nFRON x\n' >"$E/Dockerfile"
expect_error "unknown instruction, with its line" "Dockerfile:2: unknown instruction: FRON" \
  build -f "$E/Dockerfile" --store "$STORE" -o "oci:$TEST_TMP/e:1"
printf 'FROM scratch\nCOPY missing.txt /\n' >"$E/Dockerfile"
expect_error "a missing COPY source" "Dockerfile:2: \"missing.txt\": no such file or directory" \
  build -f "$E/Dockerfile" --store "$STORE" -o "oci:$TEST_TMP/e:1"
printf 'FROM scratch AS a\nCOPY --from=b /x /x\nFROM scratch AS b\n' >"$E/Dockerfile"
expect_error "COPY --from a later stage" "Dockerfile:2:" \
  build -f "$E/Dockerfile" --store "$STORE" -o "oci:$TEST_TMP/e:1"

check_equal "at the end: nothing mounted, running or left" "" "$(leftovers)"
finish dockerfile_build
