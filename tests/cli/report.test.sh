#!/usr/bin/env bash
# pith report without a browser: the page's data block against `pith inspect --json` on dive's
# 14-layer fixture (per-layer hidden bytes add up to inspect's reclaimable bytes), the writes
# (atomic, an unreadable image writes nothing), and the usage errors. The browser half is
# tests/integration/report.test.sh.
source "$(dirname "$0")/lib.sh"

dive=$C/dive/test-docker-image.tar
"$PITH" inspect --json "$dive" >"$tmp/inspect.json"
expect_ok "report of dive's image" "$PITH" report "$dive" -o "$tmp/r.html"
# The data block, as the page's script reads it.
python3 - "$tmp/r.html" >"$tmp/data.json" <<'PY'
import json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
block = re.search(r'<script type="application/json" id="pith-data">(.*?)</script>', page, re.S)
print(json.dumps(json.loads(block.group(1))["images"][0]))
PY
d=$tmp/data.json
i=$tmp/inspect.json
expect_eq "content size" "$(jq .size.content "$i")" "$(jq .summary.content_size "$d")"
expect_eq "treemap total = content size" "$(jq .size.content "$i")" "$(jq .treemap.b "$d")"
expect_eq "treemap entries = files" "$(jq .files.entries "$i")" "$(jq .treemap.e "$d")"
expect_eq "layers' added bytes" "$(jq -c '[.layers[].added_bytes]' "$i")" "$(jq -c '[.layers[].added_bytes]' "$d")"
expect_eq "layers' commands" "$(jq -c '[.layers[].created_by]' "$i")" "$(jq -c '[.layers[].created_by]' "$d")"
expect_eq "hidden bytes by layer add up to reclaimable (5 copies of somefile.txt)" \
  "$(jq .efficiency.reclaimable_bytes "$i")" "$(jq '[.layers[].wasted_bytes] | add' "$d")"
expect_eq "shells" "$(jq -c .surface.shells "$i")" "$(jq -c .surface.shells.items "$d")"
expect_eq "lint's findings" "$("$PITH" lint --json --no-fail "$dive" | jq -c '[.findings[].id]')" \
  "$(jq -c '[.findings[].id]' "$d")"

# -o replaced atomically; a failed run leaves the old page.
echo old >"$tmp/keep.html"
expect_error "unreadable image" "$PITH" report "$tmp/missing.tar" -o "$tmp/keep.html"
expect_eq "the old page stays" old "$(cat "$tmp/keep.html")"
expect_error "no -o" "$PITH" report "$dive"
expect_error "-o in a missing folder" "$PITH" report "$dive" -o "$tmp/no/such/dir/r.html"
expect_eq "no temporary file left" "keep.html r.html" "$(cd "$tmp" && ls *.html | tr '\n' ' ' | sed 's/ $//')"
finish
