#!/usr/bin/env bash
# Progress lines of `pith copy` and `pith build -o` on a terminal (script(1) runs pith on a
# pseudo-terminal and keeps what it shows): a line per blob with its short digest and its size as
# skopeo reads them from the image, then pith's usual summary. Without a terminal, or with -q,
# nothing is added: stderr stays empty.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tty.sh"
# blob_lines REF: the final line of each blob of REF's manifest (skopeo inspect --raw), sorted.
blob_lines() {
  skopeo inspect --raw "$1" |
    jq -r '"config \(.config.digest) \(.config.size)", (.layers[] | "blob \(.digest) \(.size)")' |
    while read -r kind digest size; do
      printf 'Copying %-6s %s  done  %s\n' "$kind" "${digest:7:12}" "$(human_bytes "$size")"
    done | LC_ALL=C sort
}
# sorted_screen FILE: the screen of a capture, blob lines sorted (they finish in any order).
sorted_screen() {
  tty_screen <"$1" >"$1.screen"
  grep '^Copying ' "$1.screen" | LC_ALL=C sort
  grep -v '^Copying ' "$1.screen"
}

# --- pith copy: dive's 14-layer docker-archive into an OCI layout ---
dive=$C/dive/test-docker-image.tar
"$PITH" copy "$dive" "oci:$tmp/pipe:t" >"$tmp/pipe.out" 2>"$tmp/pipe.err"
expect_eq "copy, no tty: stderr is empty" "" "$(cat "$tmp/pipe.err")"
expect_eq "copy, no tty: one summary line" 1 "$(wc -l <"$tmp/pipe.out")"
summary=$(sed "s|$tmp/pipe|$tmp/tty|" "$tmp/pipe.out")

script -qfec "$PITH copy $dive oci:$tmp/tty:t" /dev/null >"$tmp/copy.raw" </dev/null
# The layers are stored uncompressed: gzipped on the way (as skopeo does), each line ends with
# the blob as written.
expect_eq "copy, tty: a line per blob (sizes from skopeo), then the summary" \
  "$(blob_lines "oci:$tmp/tty:t")
$summary" "$(sorted_screen "$tmp/copy.raw")"
total=$(skopeo inspect --raw "docker-archive:$dive" | jq '.config.size + ([.layers[].size] | add)')
grep -q "Total  [0-9]*/15 blobs  .* / $(human_bytes "$total")" "$tmp/copy.raw" && pass ||
  fail "copy, tty: a total line over the 15 blobs ($(human_bytes "$total")): $(head -c 400 "$tmp/copy.raw" | cat -v)"
expect_eq "copy, tty: the same layout as without" "$(cd "$tmp/pipe" && sha256sum blobs/sha256/* index.json)" \
  "$(cd "$tmp/tty" && sha256sum blobs/sha256/* index.json)"

# Into a layout that has every blob already: each one is skipped, as skopeo says it.
script -qfec "$PITH copy $dive oci:$tmp/tty:t" /dev/null >"$tmp/again.raw" </dev/null
expect_eq "copy, tty: blobs already there are skipped" \
  "$(blob_lines "docker-archive:$dive" | sed 's/  done  .*/  skipped: already exists/')" \
  "$(sorted_screen "$tmp/again.raw" | grep '^Copying ')"

script -qfec "$PITH copy -q $dive oci:$tmp/quiet:t" /dev/null >"$tmp/quiet.raw" </dev/null
expect_eq "copy -q, tty: nothing shown" "" "$(cat "$tmp/quiet.raw")"

# A failure: the error line alone stays (the progress lines of the blob that failed go).
cp "$dive" "$tmp/broken.tar"
layer=$(tar -tf "$dive" | grep 'layer.tar$' | sed -n 5p)
offset=$(python3 -c "import tarfile; t = tarfile.open('$dive'); print(t.getmember('$layer').offset_data + 700)")
printf 'X' | dd of="$tmp/broken.tar" bs=1 seek="$offset" conv=notrunc status=none
script -qfec "$PITH copy --image-parallel-copies 1 $tmp/broken.tar oci:$tmp/broken:t" /dev/null >"$tmp/broken.raw" </dev/null
last=$(tty_screen <"$tmp/broken.raw" | tail -n 1)
[[ $last == "pith: error: "*"digest mismatch"* ]] && pass || fail "copy, tty, failure: last line is the error: $last"
expect_eq "copy, tty, failure: nothing written" no "$([ -e "$tmp/broken" ] && echo yes || echo no)"

# --- pith build -o: the image's blobs as they are written ---
script -qfec "$PITH build --entrypoint /usr/bin/true -o oci:$tmp/built:1" /dev/null >"$tmp/build.raw" </dev/null
expect_eq "build, tty: a line per blob (sizes from skopeo)" "$(blob_lines "oci:$tmp/built:1")" \
  "$(tty_screen <"$tmp/build.raw" | grep '^Copying ' | LC_ALL=C sort)"
expect_eq "build, tty: the summary follows" 1 "$(tty_screen <"$tmp/build.raw" | grep -c '^Built [0-9]* files')"
"$PITH" build --entrypoint /usr/bin/true -o "oci:$tmp/built-pipe:1" >"$tmp/build.out" 2>"$tmp/build.err"
expect_eq "build, no tty: no progress on stderr" 0 "$(grep -c 'Copying' "$tmp/build.err")"

finish
