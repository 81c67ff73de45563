#!/usr/bin/env bash
# `pith slim` (issue #15) on a fat Debian image made as people make them (fixtures/slim: g++,
# golang-go, python3, nodejs, lighttpd; a C++ and a Go program compiled inside it, a Python and
# a Node application added): each program's slimmed image must give, under podman, the stdout
# and exit code the fat image gives; the kept files are checked against independent views
# (umoci's unpacked root, dpkg -S inside the fat image, readelf), the package records against
# dpkg-query, and every slimmed image against `pith lint`.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
require_pith
for tool in mmdebstrap podman skopeo umoci jq readelf; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done

# ---------------------------------------------------------------------------------------
# The fat image (fixtures/slim/build.sh: mmdebstrap, then fixtures/slim/Containerfile), cached
# by its recipe's hash; bench/slim uses the same recipe.
FAT_NAME=localhost/pith-fixture/slim-fat:1
build_slim_fixture() { "$INTEGRATION_DIR/fixtures/slim/build.sh" "$1"; }

cached_fixture slim "$("$INTEGRATION_DIR/fixtures/slim/build.sh" --key)" build_slim_fixture
FAT_ARCHIVE=$CACHED_FIXTURE/oci-archive.tar
FAT=oci-archive:$FAT_ARCHIVE
echo "# fat image: $(du -m "$FAT_ARCHIVE" | cut -f1) MB oci-archive; $(cat "$CACHED_FIXTURE/made")"
ipodman load -q -i "$FAT_ARCHIVE" >/dev/null || fail "podman load of the fat image"
FAT_ID=$(ipodman images -q "$FAT_NAME" | sed -n 1p)

# run_image IMAGE_ID [ARGS...]: "stdout...<newline>exit N" of a run under podman.
run_image() {
  local out rc
  out=$(ipodman run --rm --network none "$@" 2>&1)
  rc=$?
  printf '%s\nexit %s\n' "$out" "$rc"
}

# slim_case NAME [pith slim ARGS...]: slims the fat image into $TEST_TMP/NAME.tar (oci-archive),
# loads it, sets SLIM_ID; the summary JSON in $TEST_TMP/NAME.json.
slim_case() {
  local name=$1 t0
  shift
  t0=$(date +%s.%N)
  if ! pith_run slim "$FAT" -q --report "$TEST_TMP/$name.json" \
    -o "oci-archive:$TEST_TMP/$name.tar:localhost/slim/$name:1" "$@"; then
    fail "$name: pith slim" "$(pith_stderr)"
    return 1
  fi
  echo "# $name: slimmed in $(echo "$(date +%s.%N) - $t0" | bc | cut -c1-5) s;" \
    "layers $(jq .input_layer_bytes "$TEST_TMP/$name.json") B ->" \
    "$(jq .output_layer_bytes "$TEST_TMP/$name.json") B;" \
    "files $(jq '.total.kept_files + .total.removed_files' "$TEST_TMP/$name.json") ->" \
    "$(jq .total.kept_files "$TEST_TMP/$name.json")"
  ipodman load -q -i "$TEST_TMP/$name.tar" >/dev/null || { fail "$name: podman load"; return 1; }
  SLIM_ID=$(ipodman images -q "localhost/slim/$name:1" | sed -n 1p)
  # The slimmed image passes lint's run-time rules (slim checks them before writing too).
  check "$name: pith lint finds no error" "$PITH" lint "oci-archive:$TEST_TMP/$name.tar"
}

# same_run NAME ENTRYPOINT_JSON: the fat image run with that entrypoint and the slim one with
# its own config give the same output and exit code.
same_run() {
  local name=$1 entry=$2 fat slim
  fat=$(run_image --entrypoint "$entry" "$FAT_ID")
  slim=$(run_image "$SLIM_ID")
  check_equal "$name: the slim image's stdout and exit code are the fat image's" "$fat" "$slim"
  echo "$fat" | sed 's/^/#   /'
}

# ---------------------------------------------------------------------------------------
cxx_case() {
  slim_case cxx --entrypoint /usr/local/bin/wordcount || return
  same_run cxx '["/usr/local/bin/wordcount"]'
  # The kept ELF files: the program and exactly the libraries ld.so maps for it, as ldd says
  # inside the fat image.
  local want got
  want=$(ipodman run --rm --network none --entrypoint /bin/sh "$FAT_ID" -c \
    'ldd /usr/local/bin/wordcount | awk '"'"'$2 == "=>" { print $3 } $1 ~ /^\// { print $1 }'"'"' |
     xargs readlink -f' | LC_ALL=C sort -u)
  got=$("$PITH" ls "oci-archive:$TEST_TMP/cxx.tar" | awk '$1 ~ /^-/ { print $NF }' |
    grep -E '\.so(\.[0-9.]+)?$' | LC_ALL=C sort -u)
  check_equal "cxx: the libraries kept are those ldd lists in the fat image" "$want" "$got"
}

go_case() {
  slim_case go --entrypoint /usr/local/bin/gohello || return
  same_run go '["/usr/local/bin/gohello"]'
}

python_case() {
  # The fat image's own command: python3 /srv/pyapp/main.py basic.
  slim_case python || return
  same_run python '["python3","/srv/pyapp/main.py","basic"]'
  local json=$TEST_TMP/python.json
  check_equal "python: a module of dist-packages (six) is kept" 1 \
    "$(jq '[.kept_because[] | select(startswith("/usr/lib/python3/dist-packages/six.py"))] | length' "$json")"
  check_equal "python: the app's relative import (helpers/text.py) is kept" 1 \
    "$(jq '[.kept_because[] | select(startswith("/srv/pyapp/helpers/text.py"))] | length' "$json")"
  # Every module file the real interpreter loads for the program (sys.modules, read in the fat
  # image) is in the slim image.
  local loaded kept missing
  loaded=$(ipodman run --rm --network none --entrypoint python3 -w /srv/pyapp "$FAT_ID" -c '
import runpy, sys
sys.argv = ["/srv/pyapp/main.py", "basic"]
sys.path[0] = "/srv/pyapp"
try:
    runpy.run_path("/srv/pyapp/main.py", run_name="__main__")
except SystemExit:
    pass
for m in list(sys.modules.values()):
    f = getattr(m, "__file__", None)
    if f:
        print(f)' | grep '^/' | LC_ALL=C sort -u)
  # Files and symlinks (sitecustomize.py -> /etc/python3.11/sitecustomize.py) by their path.
  kept=$("$PITH" ls "oci-archive:$TEST_TMP/python.tar" |
    awk '$1 ~ /^-/ { print $NF } $1 ~ /^l/ { print $(NF - 2) }')
  missing=$(comm -23 <(echo "$loaded") <(echo "$kept" | LC_ALL=C sort -u))
  check_equal "python: every module file python3 loads (sys.modules: $(echo "$loaded" | wc -l)) is kept" "" "$missing"
  # A module the program imports only by a computed name is missing from a static slim.
  local out
  out=$(ipodman run --rm --network none "$SLIM_ID" python3 /srv/pyapp/main.py lazy 2>&1)
  # (xml is kept, imported by something else; xml.dom is not).
  check_equal "python: static slim misses the lazily imported xml.dom.minidom" \
    "ModuleNotFoundError: No module named 'xml.dom'" "$(echo "$out" | tail -1)"
}

trace_python_case() {
  # --trace with a probe command: the module imported by a computed name is kept this time.
  slim_case python-trace --trace --probe-cmd 'python3 /srv/pyapp/main.py lazy' || return
  local fat slim
  fat=$(run_image "$FAT_ID" python3 /srv/pyapp/main.py lazy)
  slim=$(run_image "$SLIM_ID" python3 /srv/pyapp/main.py lazy)
  check_equal "python --trace: the lazily imported module is kept: same output as the fat image" \
    "$fat" "$slim"
  check_equal "python --trace: xml/dom/minidom.py was recorded by the tracer" 1 \
    "$(jq '[.traced_paths[] | select(. == "/usr/lib/python3.11/xml/dom/minidom.py")] | length' \
      "$TEST_TMP/python-trace.json")"
}

lighttpd_case() {
  # --http-probe: lighttpd (its config read through perl scripts of include_shell, its
  # modules, its log folder owned by www-data) traced while pith fetches the page; the slim
  # image then serves the same bytes under podman. Port 80 on the host's loopback.
  if ss -ltn | grep ":80 " >/dev/null; then
    skip "lighttpd --http-probe" "port 80 is taken on this machine"
    return
  fi
  slim_case lighttpd --trace --entrypoint /usr/sbin/lighttpd --entrypoint=-D --entrypoint=-f \
    --entrypoint /etc/lighttpd/lighttpd.conf --http-probe 80/index.html || return
  check_equal "lighttpd: pith's probe got 200 and the page's 88 bytes" "200 88" \
    "$(jq -r '.http_probes[0] | "\(.status) \(.bytes)"' "$TEST_TMP/lighttpd.json")"
  local page=""
  ipodman run -d --rm --name pith-slim-lighttpd --network host "$SLIM_ID" >/dev/null
  for _ in $(seq 1 50); do
    page=$(curl -sf http://127.0.0.1:80/index.html) && break
    sleep 0.2
  done
  ipodman stop -t 2 pith-slim-lighttpd >/dev/null 2>&1
  check_equal "lighttpd: the slim image serves the page's bytes" \
    "$(cat "$INTEGRATION_DIR/fixtures/slim/site/index.html")" "$page"
}

shell_form_case() {
  # CMD's shell form: sh -c "..." runs python3 with the script, behind `if ... then` (a
  # reserved word before it: python3 was missed, and the slim image could not start it).
  local line='cd /srv/pyapp && if [ -f main.py ]; then exec python3 main.py basic; fi'
  slim_case shell --entrypoint /bin/sh --entrypoint=-c --entrypoint "$line" || return
  same_run shell "$(jq -cn --arg l "$line" '["/bin/sh","-c",$l]')"
}

node_case() {
  slim_case node --entrypoint node --entrypoint /srv/nodeapp/index.js || return
  same_run node '["node","/srv/nodeapp/index.js"]'
  check_equal "node: the app's files keep their owner (app, 1000)" "1000/1000" \
    "$("$PITH" ls "oci-archive:$TEST_TMP/node.tar" | awk '$NF == "/srv/nodeapp/index.js" { print $2 }' | head -1)"
}

packages_case() {
  slim_case packages --entrypoint /usr/local/bin/wordcount --include-package python3-six || return
  local json=$TEST_TMP/packages.json root=$TEST_TMP/fat-root want got
  # --include-package: every file dpkg lists for python3-six is in the image, and its record.
  want=$(ipodman run --rm --network none --entrypoint /usr/bin/dpkg-query "$FAT_ID" -L python3-six |
    while read -r p; do
      ipodman run --rm --network none --entrypoint /usr/bin/test "$FAT_ID" -f "$p" && echo "$p"
    done | LC_ALL=C sort)
  got=$("$PITH" ls "oci-archive:$TEST_TMP/packages.tar" | awk '$1 ~ /^-/ { print $NF }' |
    grep -Fx -f <(echo "$want") | LC_ALL=C sort)
  check_equal "--include-package python3-six: all of its files are kept" "$want" "$got"
  check_equal "--include-package: pith inspect lists python3-six" 1 \
    "$("$PITH" inspect --json "oci-archive:$TEST_TMP/packages.tar" | jq '[.packages[] | select(.name == "python3-six")] | length')"
  # Every regular file of the fat image is kept or listed as removed (umoci's unpack counts).
  mkdir -p "$TEST_TMP/fat-oci"
  skopeo copy -q "$FAT" "oci:$TEST_TMP/fat-oci:fat" &&
    umoci unpack --image "$TEST_TMP/fat-oci:fat" "$root" >/dev/null 2>&1
  check_equal "report: kept + removed files = the fat image's regular files (umoci)" \
    "$(find "$root/rootfs" -type f | wc -l)" \
    "$(jq '.total.kept_files + .total.removed_files' "$json")"
  # Its record: status.d/python3-six.md5sums is dpkg's own list of it (every file is kept).
  mkdir -p "$TEST_TMP/slim-oci"
  skopeo copy -q "oci-archive:$TEST_TMP/packages.tar" "oci:$TEST_TMP/slim-oci:slim" &&
    umoci unpack --image "$TEST_TMP/slim-oci:slim" "$TEST_TMP/slim-root" >/dev/null 2>&1
  check_same_files "--include-package python3-six: its record's md5sums are dpkg's" \
    "$root/rootfs/var/lib/dpkg/info/python3-six.md5sums" \
    "$TEST_TMP/slim-root/rootfs/var/lib/dpkg/status.d/python3-six.md5sums"
  # The packages recorded are those dpkg -S names, in the fat image, for the kept files (a
  # merged-/usr path is asked under its pre-merge name too, as dpkg lists it).
  local kept_files owners_of
  kept_files=$("$PITH" ls "oci-archive:$TEST_TMP/packages.tar" | awk '$1 ~ /^-/ { print $NF }' |
    grep -v '^/var/lib/dpkg/status.d/')
  # shellcheck disable=SC2016
  owners_of=$(ipodman run --rm --network none --entrypoint /bin/sh "$FAT_ID" -c '
    for f in "$@"; do dpkg -S "$f" 2>/dev/null || dpkg -S "${f#/usr}" 2>/dev/null; done' sh \
    $kept_files | cut -d: -f1 | tr ',' '\n' | sed 's/^ *//' | LC_ALL=C sort -u | tr '\n' ' ')
  check_equal "--include-package: the packages recorded are the kept files' owners (dpkg -S)" \
    "$owners_of" \
    "$(ls "$TEST_TMP/slim-root/rootfs/var/lib/dpkg/status.d" | grep -v md5sums | LC_ALL=C sort | tr '\n' ' ')"
  # The package of removed files, as dpkg -S gives it in the fat image.
  local path pkg
  for path in /usr/bin/perl /usr/bin/x86_64-linux-gnu-gcc-12 /usr/sbin/lighttpd; do
    pkg=$(ipodman run --rm --network none --entrypoint /usr/bin/dpkg "$FAT_ID" -S "$path" |
      cut -d: -f1 | sed -n 1p)
    check_equal "report: $path is removed and owned by $pkg (dpkg -S)" "$pkg" \
      "$(jq -r --arg p "$path" '.removed[] | select(.path == $p) | .package' "$json")"
  done
}

report_case() {
  # `pith report` of the fat image and the slim one: the page holds both, side by side, their
  # layers summing to the sizes slim's summary gives for before and after.
  [ -f "$TEST_TMP/cxx.tar" ] || { fail "report: no cxx slim image"; return; }
  if ! pith_run report "$FAT" "oci-archive:$TEST_TMP/cxx.tar" -o "$TEST_TMP/before-after.html"; then
    fail "report: pith report of the fat and the slim image" "$(pith_stderr)"
    return
  fi
  local sizes
  sizes=$("$PYTHON" - "$TEST_TMP/before-after.html" <<'PY'
import html, json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
data = json.loads(re.search(r'<script type="application/json" id="pith-data">(.*?)</script>', page, re.S).group(1))
print(" ".join(str(sum(l["size"] for l in i["layers"])) for i in data["images"]))
PY
)
  check_equal "report: before and after side by side, sized as slim's summary says" \
    "$(jq -r '"\(.input_layer_bytes) \(.output_layer_bytes)"' "$TEST_TMP/cxx.json")" "$sizes"
}

java_case() {
  # The JRE's home (modules image, libjvm, its conf links into /etc/java-17-openjdk).
  slim_case java --entrypoint java --entrypoint=-version || return
  same_run java '["java","-version"]'
}

perl_case() {
  # Perl's rule: -M and -e name modules (List::Util and POSIX, both XS: their .so under auto/).
  slim_case perl --entrypoint perl --entrypoint=-MList::Util=sum --entrypoint=-e \
    --entrypoint 'use POSIX qw(floor); print floor(sum(1.5, 2)), "\n"' || return
  same_run perl '["perl","-MList::Util=sum","-e","use POSIX qw(floor); print floor(sum(1.5, 2)), \"\\n\""]'
}

gconv_case() {
  # A program that calls iconv_open (glibc's iconv) gets the gconv modules: CP1252 is no
  # built-in character set, so without CP1252.so the conversion fails.
  slim_case iconv --entrypoint /usr/bin/iconv --entrypoint=-f --entrypoint=CP1252 \
    --entrypoint=-t --entrypoint=UTF-8 || return
  local fat slim
  fat=$(printf '\x80 caf\xe9\n' | ipodman run -i --rm --network none --entrypoint /usr/bin/iconv \
    "$FAT_ID" -f CP1252 -t UTF-8 2>&1)
  slim=$(printf '\x80 caf\xe9\n' | ipodman run -i --rm --network none "$SLIM_ID" 2>&1)
  check_equal "iconv: CP1252 converts as in the fat image (gconv modules kept)" "$fat" "$slim"
  check_equal "iconv: the fat image's answer is the euro sign" "€ café" "$fat"
}

# An arm64 root (mmdebstrap --variant=extract: unpacked, nothing run) slimmed on this amd64
# machine: the ELF files kept for /usr/bin/curl are the closure elf_closure.py derives with
# readelf and the loader's search rules (Debian's aarch64 directories), and the image is
# labelled arm64.
arm64_case() {
  local rootfs=$TEST_TMP/arm64.tar want got
  if ! mmdebstrap --quiet --arch=arm64 --variant=extract --include=curl,ca-certificates \
    bookworm "$rootfs" >"$TEST_TMP/mmdebstrap.log" 2>&1; then
    fail "arm64: mmdebstrap --arch=arm64" "$(tail -5 "$TEST_TMP/mmdebstrap.log")"
    return
  fi
  mkdir -p "$TEST_TMP/arm64-root"
  tar -xf "$rootfs" -C "$TEST_TMP/arm64-root"
  # As it is, curl (a TLS client) would have no CA certificates: slim refuses and says why.
  # (Warnings, PL110 and PL113, come before the error line.)
  local rc=0
  "$PITH" slim "rootfs:$TEST_TMP/arm64-root" --entrypoint /usr/bin/curl -q \
    -o "oci:$TEST_TMP/arm64-refused:slim" 2>"$TEST_TMP/refused.err" || rc=$?
  check_equal "arm64: slim refuses an image lint says cannot work (PL111, no CA certificates)" \
    "2 pith: error: the slimmed image would not start: PL111 /usr/bin/curl is a TLS client" \
    "$rc $(grep '^pith: error:' "$TEST_TMP/refused.err" | cut -d'(' -f1 | sed 's/ $//')"
  check "arm64: nothing is written when slim refuses" test ! -e "$TEST_TMP/arm64-refused"
  # The bundle update-ca-certificates would write (nothing ran in an extract root); without
  # one, slim refuses curl, a TLS client (PL111).
  mkdir -p "$TEST_TMP/arm64-root/etc/ssl/certs"
  cat "$TEST_TMP"/arm64-root/usr/share/ca-certificates/mozilla/*.crt \
    >"$TEST_TMP/arm64-root/etc/ssl/certs/ca-certificates.crt"
  if ! pith_run slim "rootfs:$TEST_TMP/arm64-root" --entrypoint /usr/bin/curl -q \
    --report "$TEST_TMP/arm64.json" -o "oci:$TEST_TMP/arm64-oci:slim"; then
    fail "arm64: pith slim" "$(pith_stderr)"
    return
  fi
  want=$("$PYTHON" "$INTEGRATION_DIR/elf_closure.py" "$TEST_TMP/arm64-root" /usr/bin/curl \
    /lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu /lib /usr/lib | LC_ALL=C sort)
  got=$("$PITH" ls "oci:$TEST_TMP/arm64-oci:slim" | awk '$1 ~ /^-/ { print $NF }' |
    while read -r f; do
      # ELF files only (readelf -h succeeds), the CA bundle and config files left out.
      readelf -h "$TEST_TMP/arm64-root$f" >/dev/null 2>&1 && echo "$f"
    done | LC_ALL=C sort)
  check_equal "arm64: the ELF files kept are curl's closure as readelf and ld.so's rules give it ($(echo "$want" | wc -l) files)" "$want" "$got"
  check_equal "arm64: the image is labelled linux/arm64" "linux/arm64" \
    "$(skopeo inspect --config "oci:$TEST_TMP/arm64-oci:slim" | jq -r '.os + "/" + .architecture')"
}

cxx_case
go_case
python_case
shell_form_case
node_case
packages_case
trace_python_case
lighttpd_case
report_case
gconv_case
java_case
perl_case
arm64_case
finish slim
