#!/usr/bin/env bash
# pith starts without libpq, libcurl, librpm, libsqlite3 and libarchive (src/dynlib): each is
# loaded by the first command that calls it. LD_DEBUG=files makes the dynamic loader list every
# library it opens, at start-up and by dlopen; a library that cannot be loaded is one error line.
source "$(dirname "$0")/lib.sh"

lazy="libpq.so.5 libcurl.so.4 librpm.so.9 libsqlite3.so.0 libarchive.so.13"

# opened WHAT CMD...: runs CMD (pith) under LD_DEBUG=files and sets `libs` to the sonames pith's
# own process opened (its children, git for instance, write files of their own), one a line.
opened() {
  local what=$1 pid rc=0
  shift
  libs=""
  rm -f "$tmp"/ld.*
  LD_DEBUG=files LD_DEBUG_OUTPUT=$tmp/ld "$@" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  wait "$pid" || rc=$?
  if [ "$rc" != 0 ]; then fail "$what: exit $rc ($(head -c 300 "$tmp/err"))"; return; fi
  libs=$(sed -n 's/^ *[0-9]*:[[:space:]]*file=\([^ ]*\) .*/\1/p' "$tmp/ld.$pid" | sort -u)
}

# lazy_among: those of $lazy among `libs`, space-separated.
lazy_among() {
  local l found=""
  for l in $lazy; do grep -qx "$l" <<<"$libs" && found="$found $l"; done
  echo "${found# }"
}

# --- Start-up: none of them; the check sees what start-up loads (libzstd, a NEEDED library) ---
opened "--version" "$PITH" --version
expect_eq "pith --version loads libzstd.so.1 (the check sees start-up loads)" yes \
  "$(grep -qx libzstd.so.1 <<<"$libs" && echo yes || echo no)"
expect_eq "pith --version loads none of the five" "" "$(lazy_among)"

# --- A build of a host program needs none of them ---
opened "build" "$PITH" build --entrypoint /usr/bin/true -o "oci:$tmp/true:1"
expect_eq "pith build loads none of the five" "" "$(lazy_among)"

# --- Loaded on first use: rpm's SQLite database, a docker-archive's layer tars ---
root=$tmp/root
mkdir -p "$root/var/lib/rpm"
cp "$C/go-rpmdb/pkg/testdata/cbl-mariner-2.0/rpmdb.sqlite" "$root/var/lib/rpm/"
opened "inspect rpmdb" "$PITH" inspect --json "rootfs:$root"
# (The root is read as a layer tar is, by libarchive.)
expect_eq "an rpm database loads librpm and libsqlite3 (and is read through them: 129 packages)" \
  "librpm.so.9 libsqlite3.so.0 libarchive.so.13 129" \
  "$(lazy_among) $(jq '.package_counts.by_type.rpm' "$tmp/out")"
dive=$C/dive/test-docker-image.tar
opened "ls docker-archive" "$PITH" ls "docker-archive:$dive"
expect_eq "a layer tar loads libarchive" "libarchive.so.13" "$(lazy_among)"

# --- A library that cannot be loaded: one error line, exit 2, only for the command using it ---
mkdir -p "$tmp/broken"
head -c 4096 /dev/zero >"$tmp/broken/libarchive.so.13"
expect_ok "--version without a loadable libarchive" env LD_LIBRARY_PATH="$tmp/broken" "$PITH" --version
expect_error "ls without a loadable libarchive" \
  env LD_LIBRARY_PATH="$tmp/broken" "$PITH" ls "docker-archive:$dive"
err=$(cat "$tmp/err")
prefix="pith: error: libarchive.so.13 cannot be loaded: $tmp/broken/libarchive.so.13: "
expect_eq "the error names the library, then dlopen's reason" "$prefix" "${err:0:${#prefix}}"

finish
