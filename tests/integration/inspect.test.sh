#!/usr/bin/env bash
# Integration test: `pith inspect --json`, its CI gates (--fail-on, --fail-on-file) and
# `pith compare`, against values computed without pith: dpkg-query and awk over the package
# databases, find over the squashed tree unpacked by GNU tar with whiteouts applied (lib.sh),
# stat and sha256sum of the layer tars, dive's own efficiency numbers.
# Images: a real Debian 12 image made here (mmdebstrap, then a podman build that purges a
# package, deletes files, adds files and installs a local .deb in a later layer; cached under
# ~/.cache/pith/fixtures), the podman-built Alpine multi-layer fixture, and dive's corpus image.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PURGED_PACKAGE=tzdata              # purged by layer 1 of fixtures/debian/Containerfile
PROBE_PACKAGE=$'pith-probe\t1.2-3\tall'   # installed with dpkg -i by layer 4
PROBE_LAYER=4
DIVE_IMAGE=$PITH_CORPUS/dive/test-docker-image.tar
BIN_DIRS=(bin usr/bin sbin usr/sbin usr/local/bin)
SHELLS=(sh bash dash ash zsh ksh mksh csh tcsh fish busybox)
PACKAGE_MANAGERS=(apt apt-get dpkg apk rpm yum dnf microdnf zypper pip pip3 npm gem)

# ---------------------------------------------------------------------------------------
# Helpers

# inspect_json NAME IMAGE OUT: pith inspect IMAGE --json into OUT; a failure is reported
# under NAME and returns 1.
inspect_json() {
  local rc=0
  pith_run inspect "$2" --json >"$3" || rc=$?
  if [ "$rc" -ne 0 ] || ! jq -e 'type == "object"' "$3" >/dev/null 2>&1; then
    fail "$1" "pith inspect $2 --json -> exit $rc" "$(pith_stderr)"
    return 1
  fi
  pass "$1"
}

# jqr FILE FILTER: one jq value, raw.
jqr() { jq -r "$2" "$1"; }

# tree_counts ROOT: "entries regular directories symlinks other content hardlinks" of an
# unpacked tree, by find: regular counts every link of a file, content counts each inode once,
# hardlinks counts the names beyond the first of each inode.
tree_counts() {
  local root=$1
  (
    cd "$root"
    printf '%s %s %s %s %s %s %s\n' \
      "$(find . -mindepth 1 | wc -l)" \
      "$(find . -mindepth 1 -type f | wc -l)" \
      "$(find . -mindepth 1 -type d | wc -l)" \
      "$(find . -mindepth 1 -type l | wc -l)" \
      "$(find . -mindepth 1 \( -type b -o -type c -o -type p -o -type s \) | wc -l)" \
      "$(find . -mindepth 1 -type f -printf '%i %s\n' | sort -u | awk '{s += $2} END {print s + 0}')" \
      "$(find . -mindepth 1 -type f -printf '%i\n' | sort | uniq -c | awk '{n += $1 - 1} END {print n + 0}')"
  )
}

# check_tree_counts LABEL JSON ROOT: files.* and size.content against find.
check_tree_counts() {
  local label=$1 json=$2 root=$3 want
  read -r -a want < <(tree_counts "$root")
  check_equal "$label: files.entries = find count (without /)" "${want[0]}" "$(jqr "$json" .files.entries)"
  check_equal "$label: files.regular = find -type f count (every link)" "${want[1]}" "$(jqr "$json" .files.regular)"
  check_equal "$label: files.directories = find -type d" "${want[2]}" "$(jqr "$json" .files.directories)"
  check_equal "$label: files.symlinks = find -type l" "${want[3]}" "$(jqr "$json" .files.symlinks)"
  check_equal "$label: files.other = devices, fifos, sockets" "${want[4]}" "$(jqr "$json" .files.other)"
  check_equal "$label: files.hardlinks = names beyond the first of each inode" "${want[6]}" "$(jqr "$json" .files.hardlinks)"
  check_equal "$label: size.content = bytes of regular files, each inode once" "${want[5]}" "$(jqr "$json" .size.content)"
}

# check_layers LABEL JSON LAYERS_FILE: per-layer sizes, diff_ids, entries and added bytes
# against the layer tars of a docker-archive (stored uncompressed).
check_layers() {
  local label=$1 json=$2 layers_file=$3 layer want=() got total=0 size entries added
  while IFS= read -r layer; do
    size=$(stat -c %s "$layer")
    total=$((total + size))
    entries=$(tar -tf "$layer" | grep -cvxE '\.?/?' || true)
    added=$(LC_ALL=C tar -tvf "$layer" --numeric-owner | awk '/^-/ {s += $3} END {print s + 0}')
    want+=("sha256:$(sha256sum <"$layer" | cut -d' ' -f1) $size $size $entries $added")
  done <"$layers_file"
  check_equal "$label: layer count" "${#want[@]}" "$(jqr "$json" '.layers | length')"
  got=$(jqr "$json" '.layers[] | "\(.diff_id) \(.size) \(.uncompressed_size) \(.entries) \(.added_bytes)"')
  check_equal "$label: layers[] diff_id, size, uncompressed_size, entries, added_bytes = the tars'" \
    "$(printf '%s\n' "${want[@]}")" "$got"
  check_equal "$label: size.uncompressed = sum of the layer tars' sizes" "$total" "$(jqr "$json" .size.uncompressed)"
}

# programs_in ROOT NAME...: /DIR/NAME for each bin dir and name that exists as a non-directory,
# without following symlinked directories (pith's surface rule: on a merged-/usr Debian /bin
# is a symlink, so only /usr/bin/sh counts).
programs_in() {
  local root=$1 dir name p parent_ok part parts
  shift
  for dir in "${BIN_DIRS[@]}"; do
    for name in "$@"; do
      # every component of the directory must be a real directory, not a symlink
      p=$root
      parent_ok=1
      IFS=/ read -r -a parts <<<"$dir"
      for part in "${parts[@]}"; do
        p=$p/$part
        if [ -L "$p" ] || [ ! -d "$p" ]; then parent_ok=0; break; fi
      done
      [ "$parent_ok" = 1 ] || continue
      if [ -e "$p/$name" ] || [ -L "$p/$name" ]; then
        [ -d "$p/$name" ] && [ ! -L "$p/$name" ] && continue
        echo "/$dir/$name"
      fi
    done
  done
}

# check_surface LABEL JSON ROOT: setuid, world_writable, shells, package managers against find.
check_surface() {
  local label=$1 json=$2 root=$3
  check_equal "$label: surface.setuid = find -type f -perm /6000" \
    "$(cd "$root" && find . -type f -perm /6000 -printf '/%P\n' | sort)" \
    "$(jqr "$json" '.surface.setuid[]' | sort)"
  check_equal "$label: surface.world_writable = find -perm -0002 (files, non-sticky dirs)" \
    "$(cd "$root" && find . -mindepth 1 \( -type f -o \( -type d ! -perm -1000 \) \) -perm -0002 -printf '/%P\n' | sort)" \
    "$(jqr "$json" '.surface.world_writable[]' | sort)"
  check_equal "$label: surface.shells = shells in the bin directories" \
    "$(programs_in "$root" "${SHELLS[@]}" | sort)" "$(jqr "$json" '.surface.shells[]' | sort)"
  check_equal "$label: surface.package_managers = package managers in the bin directories" \
    "$(programs_in "$root" "${PACKAGE_MANAGERS[@]}" | sort)" \
    "$(jqr "$json" '.surface.package_managers[]' | sort)"
}

# check_os LABEL JSON ROOT ID VERSION_ID: os.* against the tree's os-release and the expected ids.
check_os() {
  local label=$1 json=$2 root=$3 release pretty
  release=$root/etc/os-release
  [ -e "$release" ] || release=$root/usr/lib/os-release
  [ -L "$release" ] && release=$root/usr/lib/os-release
  pretty=$(. "$release" && echo "$PRETTY_NAME")
  check_equal "$label: os.id, os.version_id, os.pretty_name" "$4 $5 $pretty" \
    "$(jqr "$json" '"\(.os.id) \(.os.version_id) \(.os.pretty_name)"')"
}

# dpkg_installed ADMINDIR: "name<TAB>version<TAB>arch" of every package dpkg-query reports as
# installed ('ii'), sorted.
dpkg_installed() {
  dpkg-query -W --admindir="$1" -f '${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\n' |
    awk -F'\t' 'BEGIN {OFS = "\t"} $1 ~ /^ii/ {print $2, $3, $4}' | LC_ALL=C sort
}

# dpkg_installed_in_layer LAYER_TAR: dpkg_installed of the status file the layer stores;
# returns 1 when the layer has none.
dpkg_installed_in_layer() {
  local admin="$TEST_TMP/admindir.$RANDOM"
  mkdir -p "$admin/info" "$admin/updates"
  tar -xOf "$1" --wildcards --no-anchored 'var/lib/dpkg/status' >"$admin/status" 2>/dev/null || true
  if [ ! -s "$admin/status" ]; then rm -rf "$admin"; return 1; fi
  dpkg_installed "$admin"
  rm -rf "$admin"
}

# expected_deb_layers LAYERS_FILE: "name<TAB>arch<TAB>layer" per package of the last status
# file, layer = the lowest layer from which every later status file lists the package.
expected_deb_layers() {
  local -A since=() now=()
  local i=0 layer key name version arch
  while IFS= read -r layer; do
    if dpkg_installed_in_layer "$layer" >"$TEST_TMP/status-now"; then
      now=()
      while IFS=$'\t' read -r name version arch; do now["$name"$'\t'"$arch"]=1; done <"$TEST_TMP/status-now"
      for key in "${!since[@]}"; do [ -n "${now[$key]:-}" ] || unset "since[$key]"; done
      for key in "${!now[@]}"; do [ -n "${since[$key]:-}" ] || since[$key]=$i; done
    fi
    i=$((i + 1))
  done <"$1"
  for key in "${!since[@]}"; do printf '%s\t%s\n' "$key" "${since[$key]}"; done | LC_ALL=C sort
}

# apk_installed DB: "name<TAB>version<TAB>arch" of records with P and V, sorted.
apk_installed() {
  awk -F: 'function out() { if (p != "" && v != "") print p "\t" v "\t" a; p = v = a = "" }
    /^$/ {out(); next} $1 == "P" {p = substr($0, 3)} $1 == "V" {v = substr($0, 3)}
    $1 == "A" {a = substr($0, 3)} END {out()}' "$1" | LC_ALL=C sort
}

# gate_run NAME EXPECTED_RC EXPECTED_STDERR_REGEX... -- PITH ARGS: runs pith and checks its exit
# code and that stderr is exactly one line per regex, in order.
gate_run() {
  local name=$1 want_rc=$2 rc=0 regexes=() lines i
  shift 2
  while [ "$1" != -- ]; do regexes+=("$1"); shift; done
  shift
  "$PITH" "$@" >"$TEST_TMP/gate.out" 2>"$TEST_TMP/gate.err" || rc=$?
  mapfile -t lines <"$TEST_TMP/gate.err"
  local ok=1
  [ "$rc" -eq "$want_rc" ] || ok=0
  [ "${#lines[@]}" -eq "${#regexes[@]}" ] || ok=0
  if [ "$ok" = 1 ]; then
    for i in "${!regexes[@]}"; do
      [[ ${lines[$i]} =~ ${regexes[$i]} ]] || ok=0
    done
  fi
  if [ "$ok" = 1 ]; then
    pass "$name"
  else
    fail "$name" "command: pith $*" "expected: exit $want_rc, stderr lines matching: ${regexes[*]:-(none)}" \
      "got:      exit $rc, stderr:" "$(cat "$TEST_TMP/gate.err")"
  fi
}

# ---------------------------------------------------------------------------------------
require_pith
debian_fixture
fixture_images

# ===== 1. Debian: packages against dpkg-query, files against find, sizes against the tars ====
DEB="docker-archive:$DEBIAN_ARCHIVE"
DEB_DIR="$TEST_TMP/debian"
squashed_root "$DEBIAN_ARCHIVE" "$DEB_DIR"
DEB_JSON="$TEST_TMP/debian.json"
mapfile -t deb_layers <"$DEB_DIR/layers"

# The reference must hold what the Containerfile says (guards the script and the fixture).
dpkg_installed "$DEB_DIR/root/var/lib/dpkg" >"$TEST_TMP/deb.dpkg-query"
dpkg_installed_in_layer "${deb_layers[0]}" >"$TEST_TMP/deb.base-packages"
if [ "${#deb_layers[@]}" -eq 5 ] &&
  grep -q "^$PURGED_PACKAGE"$'\t' "$TEST_TMP/deb.base-packages" &&
  ! grep -q "^$PURGED_PACKAGE"$'\t' "$TEST_TMP/deb.dpkg-query" &&
  grep -qxF "$PROBE_PACKAGE" "$TEST_TMP/deb.dpkg-query" &&
  [ ! -e "$DEB_DIR/root/etc/motd" ] && [ ! -e "$DEB_DIR/root/usr/share/zoneinfo" ] &&
  [ "$(stat -c %h "$DEB_DIR/root/opt/links/blob")" = 3 ] &&
  [ "$(wc -l <"$TEST_TMP/deb.dpkg-query")" -gt 80 ]; then
  pass "debian reference: 5 layers, $PURGED_PACKAGE purged, pith-probe installed, files deleted, hard links"
else
  fail "debian reference: 5 layers, $PURGED_PACKAGE purged, pith-probe installed, files deleted, hard links" \
    "layers: ${#deb_layers[@]}, packages: $(wc -l <"$TEST_TMP/deb.dpkg-query")" \
    "$(grep -E "^($PURGED_PACKAGE|pith-probe)	" "$TEST_TMP/deb.dpkg-query" "$TEST_TMP/deb.base-packages")"
fi

if inspect_json "debian: inspect --json" "$DEB" "$DEB_JSON"; then
  check_os "debian" "$DEB_JSON" "$DEB_DIR/root" debian 12
  check_equal "debian: package_counts.os = dpkg-query's installed count" \
    "$(wc -l <"$TEST_TMP/deb.dpkg-query")" "$(jqr "$DEB_JSON" .package_counts.os)"
  check_equal "debian: package_counts.by_type = {deb: count}" \
    "{\"deb\":$(wc -l <"$TEST_TMP/deb.dpkg-query")}" "$(jq -c .package_counts.by_type "$DEB_JSON")"
  jqr "$DEB_JSON" '.packages[] | select(.type == "deb") | "\(.name)\t\(.version)\t\(.arch)"' |
    LC_ALL=C sort >"$TEST_TMP/deb.pith-packages"
  check_same_files "debian: packages (name, version, arch) = dpkg-query -W of the squashed root" \
    "$TEST_TMP/deb.dpkg-query" "$TEST_TMP/deb.pith-packages"
  check_equal "debian: purged $PURGED_PACKAGE is not reported" "" \
    "$(jq -r --arg n "$PURGED_PACKAGE" '.packages[] | select(.name == $n) | .name' "$DEB_JSON")"
  # layer: 0 for every package of the base layer, $PROBE_LAYER for the one dpkg -i added.
  check_equal "debian: pith-probe's layer is $PROBE_LAYER (installed by a later RUN)" "$PROBE_LAYER" \
    "$(jqr "$DEB_JSON" '.packages[] | select(.name == "pith-probe") | .layer')"
  check_equal "debian: every other package's layer is 0 (the base layer)" "" \
    "$(jqr "$DEB_JSON" '.packages[] | select(.name != "pith-probe" and .layer != 0) | "\(.name) layer \(.layer)"')"
  check_equal "debian: packages[].layer = lowest layer from which every later status lists it" \
    "$(expected_deb_layers "$DEB_DIR/layers")" \
    "$(jqr "$DEB_JSON" '.packages[] | "\(.name)\t\(.arch)\t\(.layer)"' | LC_ALL=C sort)"
  check_tree_counts "debian" "$DEB_JSON" "$DEB_DIR/root"
  check_layers "debian" "$DEB_JSON" "$DEB_DIR/layers"
  check_equal "debian: size.compressed = layer tars + config (docker-archive stores tars)" \
    "$(($(jqr "$DEB_JSON" .size.uncompressed) + $(stat -c %s "$DEB_DIR/archive/$(jq -r '.[0].Config' "$DEB_DIR/archive/manifest.json")")))" \
    "$(jqr "$DEB_JSON" .size.compressed)"
  check_surface "debian" "$DEB_JSON" "$DEB_DIR/root"
  check_equal "debian: config_digest = sha256 of the archive's config" \
    "sha256:$(sha256sum <"$DEB_DIR/archive/$(jq -r '.[0].Config' "$DEB_DIR/archive/manifest.json")" | cut -d' ' -f1)" \
    "$(jqr "$DEB_JSON" .config_digest)"
  check_equal "debian: platform" "linux/amd64" "$(jqr "$DEB_JSON" .platform)"
  check_equal "debian: reference is the image as given (transport form)" "$DEB" "$(jqr "$DEB_JSON" .reference)"
  check_equal "debian: no warnings" "[]" "$(jq -c .warnings "$DEB_JSON")"
fi

# ===== 2. Alpine multi-layer fixture: apk packages, surface =================================
ALP="docker-archive:$FIXTURE_DOCKER_ARCHIVE"
ALP_DIR="$TEST_TMP/alpine"
ALP_JSON="$TEST_TMP/alpine.json"
squashed_root "$FIXTURE_DOCKER_ARCHIVE" "$ALP_DIR"
apk_installed "$ALP_DIR/root/lib/apk/db/installed" >"$TEST_TMP/alp.apk"
if inspect_json "alpine fixture: inspect --json" "$ALP" "$ALP_JSON"; then
  check_os "alpine fixture" "$ALP_JSON" "$ALP_DIR/root" alpine 3.19.4
  check_equal "alpine fixture: package_counts.os = records with P and V in lib/apk/db/installed" \
    "$(wc -l <"$TEST_TMP/alp.apk")" "$(jqr "$ALP_JSON" .package_counts.os)"
  check_equal "alpine fixture: package_counts.by_type = {apk: count}" \
    "{\"apk\":$(wc -l <"$TEST_TMP/alp.apk")}" "$(jq -c .package_counts.by_type "$ALP_JSON")"
  jqr "$ALP_JSON" '.packages[] | select(.type == "apk") | "\(.name)\t\(.version)\t\(.arch)"' |
    LC_ALL=C sort >"$TEST_TMP/alp.pith-packages"
  check_same_files "alpine fixture: packages (name, version, arch) = the apk database's P, V, A" \
    "$TEST_TMP/alp.apk" "$TEST_TMP/alp.pith-packages"
  check_equal "alpine fixture: every package's layer is 0 (no later layer touches the apk db)" "" \
    "$(jqr "$ALP_JSON" '.packages[] | select(.layer != 0) | "\(.name) layer \(.layer)"')"
  check_equal "alpine fixture: surface.setuid lists the Containerfile's /data/setuid-tool" "1" \
    "$(jqr "$ALP_JSON" '[.surface.setuid[] | select(. == "/data/setuid-tool")] | length')"
  check_equal "alpine fixture: surface.shells include /bin/sh" "1" \
    "$(jqr "$ALP_JSON" '[.surface.shells[] | select(. == "/bin/sh")] | length')"
  check_surface "alpine fixture" "$ALP_JSON" "$ALP_DIR/root"
  check_tree_counts "alpine fixture" "$ALP_JSON" "$ALP_DIR/root"
  check_layers "alpine fixture" "$ALP_JSON" "$ALP_DIR/layers"
  # The same image in OCI forms (gzip layers): the same report but for what the form decides.
  same_report='del(.reference, .digest, .media_type, .size.compressed, .layers[].digest,
    .layers[].media_type, .layers[].size)'
  for ref in "oci-archive:$FIXTURE_OCI_ARCHIVE" "oci:$FIXTURE_OCI_DIR"; do
    if inspect_json "alpine fixture: inspect ${ref%%:*}: --json" "$ref" "$TEST_TMP/alpine-oci.json"; then
      check_equal "alpine fixture: ${ref%%:*}: report equals the docker-archive's (but digests, sizes as stored)" \
        "$(jq -S "$same_report" "$ALP_JSON")" "$(jq -S "$same_report" "$TEST_TMP/alpine-oci.json")"
      check_equal "alpine fixture: ${ref%%:*}: reference is the image as given" "$ref" \
        "$(jqr "$TEST_TMP/alpine-oci.json" .reference)"
    fi
  done
fi

# ===== dive's corpus image: files and dive's own efficiency numbers ==========================
DIVE_DIR="$TEST_TMP/dive"
DIVE_JSON="$TEST_TMP/dive.json"
squashed_root "$DIVE_IMAGE" "$DIVE_DIR"
if inspect_json "dive image: inspect --json" "$DIVE_IMAGE" "$DIVE_JSON"; then
  # dive's CI output on this image: efficiency 98.4421 %, wasted 32025 bytes, user wasted 48 %.
  check_equal "dive image: efficiency as dive reports it (0.9844, 32025 B, 0.48)" \
    "0.9844 32025 0.48" \
    "$(jqr "$DIVE_JSON" '.efficiency | "\(.score * 10000 | round / 10000) \(.wasted_bytes) \(.user_wasted_percent * 100 | round / 100)"')"
  check_tree_counts "dive image" "$DIVE_JSON" "$DIVE_DIR/root"
  check_layers "dive image" "$DIVE_JSON" "$DIVE_DIR/layers"
fi

# ===== 3. Gates ==============================================================================
deb_count=$(wc -l <"$TEST_TMP/deb.dpkg-query")
gate_run "gate os_packages>0 fails on debian: exit 1, one gate line" 1 \
  "^pith: gate failed: os_packages>0: os_packages is $deb_count\$" -- \
  inspect "$DEB" --fail-on 'os_packages>0'
gate_run "gate os_packages>100000 passes on debian: exit 0, no stderr" 0 -- \
  inspect "$DEB" --fail-on 'os_packages>100000'
cat >"$TEST_TMP/gates" <<'EOF'
# gates for the Debian image; comments and blank lines are ignored

size>1TB            # never true
os_packages>0       # true
# entries<1 would be true if this comment were a gate
shells>0
entries<1
EOF
gate_run "gates file with comments: the two violated gates, in order" 1 \
  '^pith: gate failed: os_packages>0: os_packages is [0-9]+$' \
  '^pith: gate failed: shells>0: shells is [0-9]+$' -- \
  inspect "$DEB" --fail-on-file "$TEST_TMP/gates"
printf '# nothing violated\nos_packages>1000 # fine\n' >"$TEST_TMP/gates-ok"
gate_run "gates file whose gates hold: exit 0" 0 -- inspect "$DEB" --fail-on-file "$TEST_TMP/gates-ok"
gate_run "gate with a size unit (size>1kB) fails, value and threshold in bytes" 1 \
  '^pith: gate failed: size>1kB: size is [0-9]+ bytes \(1kB is 1000 bytes\)$' -- inspect "$DEB" --fail-on 'size>1kB'
for bad in 'nonsense>1' 'size>>1' 'size>1XB' 'os_packages=1' 'efficiency' 'size>'; do
  gate_run "bad gate '$bad': exit 2, one error line" 2 '^pith: error: ' -- \
    inspect "$DEB" --fail-on "$bad"
done
gate_run "missing gates file: exit 2, one error line" 2 '^pith: error: ' -- \
  inspect "$DEB" --fail-on-file "$TEST_TMP/no-such-gates"
gate_run "dive's CI rules on dive's image pass" 0 -- \
  inspect "$DIVE_IMAGE" --fail-on 'efficiency<0.9,wasted_bytes>20MB,user_wasted_percent>0.5'
gate_run "efficiency<0.99 fails on dive's image" 1 \
  '^pith: gate failed: efficiency<0.99: efficiency is 0\.984' -- \
  inspect "$DIVE_IMAGE" --fail-on 'efficiency<0.99'
gate_run "dive's default user_wasted_percent>0.1 fails on dive's image" 1 \
  '^pith: gate failed: user_wasted_percent>0.1: user_wasted_percent is 0\.4' -- \
  inspect "$DIVE_IMAGE" --fail-on 'user_wasted_percent>0.1'

# ===== 4. compare ============================================================================
if [ -s "$DEB_JSON" ] && [ -s "$ALP_JSON" ] && [ -s "$DIVE_JSON" ]; then
  if pith_run compare "$DEB" "$ALP" "$DIVE_IMAGE" --json >"$TEST_TMP/compare.json"; then
    jq -S -s 'map({reference, digest, compressed_size: .size.compressed,
        uncompressed_size: .size.uncompressed, layers: (.layers | length),
        os_packages: .package_counts.os, language_packages: .package_counts.language,
        entries: .files.entries, regular_files: .files.regular,
        shells: (.surface.shells | length), package_managers: (.surface.package_managers | length),
        setuid_files: (.surface.setuid | length),
        user: (if .surface.user == "" then "root" else .surface.user end)})' \
      "$DEB_JSON" "$ALP_JSON" "$DIVE_JSON" >"$TEST_TMP/compare.expected"
    jq -S . "$TEST_TMP/compare.json" >"$TEST_TMP/compare.actual"
    check_same_files "compare --json: the three inspect reports' values, in order" \
      "$TEST_TMP/compare.expected" "$TEST_TMP/compare.actual"
  else
    fail "compare --json: the three inspect reports' values, in order" "$(pith_stderr)"
  fi
  if pith_run compare "$DEB" "$ALP" "$DIVE_IMAGE" >"$TEST_TMP/compare.txt"; then
    # Numeric rows: the label, then one cell per image.
    table_ok=1
    table_msgs=()
    header=$(head -n 1 "$TEST_TMP/compare.txt")
    read -r -a cells <<<"$header"
    if [ "${cells[*]}" != "$(jq -r -s 'map(.reference) | join(" ")' "$DEB_JSON" "$ALP_JSON" "$DIVE_JSON")" ]; then
      table_ok=0
      table_msgs+=("header: $header")
    fi
    for row in "layers:.layers | length" "OS packages:.package_counts.os" \
      "language packages:.package_counts.language" "entries:.files.entries" \
      "regular files:.files.regular" "shells:.surface.shells | length" \
      "package managers:.surface.package_managers | length" "setuid files:.surface.setuid | length"; do
      label=${row%%:*}
      want="$(jqr "$DEB_JSON" "${row#*:}") $(jqr "$ALP_JSON" "${row#*:}") $(jqr "$DIVE_JSON" "${row#*:}")"
      line=$(grep "^$label  " "$TEST_TMP/compare.txt" | sed -n 1p)
      read -r -a cells <<<"${line#"$label"}"
      if [ "${cells[*]}" != "$want" ]; then
        table_ok=0
        table_msgs+=("row '$label': expected '$want', got '${cells[*]}'")
      fi
    done
    if [ "$(wc -l <"$TEST_TMP/compare.txt")" -ne 12 ]; then
      table_ok=0
      table_msgs+=("$(wc -l <"$TEST_TMP/compare.txt") rows, expected 12")
    fi
    if [ "$table_ok" = 1 ]; then
      pass "compare table: one column per image, values as inspect reports them"
    else
      fail "compare table: one column per image, values as inspect reports them" "${table_msgs[@]}" \
        "$(cat "$TEST_TMP/compare.txt")"
    fi
  else
    fail "compare table: one column per image, values as inspect reports them" "$(pith_stderr)"
  fi
  gate_run "compare with a missing image: exit 2, one error line" 2 '^pith: error: ' -- \
    compare "$DEB" "$TEST_TMP/no-such-image.tar"
fi

finish inspect
