#!/usr/bin/env bash
# Integration test: `pith report`. One page of three images side by side (the cached Debian
# fixture, Alpine's minirootfs, and a crafted root whose names and path are hostile HTML), opened
# in headless Chromium (Debian's chromium):
#   - the DOM Chromium renders (--dump-dom) shows the numbers `pith inspect --json` gives for
#     each image (sizes, packages, files, layers) and the treemap's total is the file content;
#   - a real mouse click on the largest directory of the treemap zooms into it: its children,
#     which add up to its bytes, and the breadcrumbs (report_browser.py, the DevTools protocol on
#     a pipe: no npm package, no port);
#   - the page makes no network request (DevTools' request log holds only the page) and names
#     no URL in any src/href; the hostile names stay text (no script runs, no <img> appears);
#   - a header click sorts the packages; the dark theme follows prefers-color-scheme;
#   - screenshots are kept in build/report-test/ (docs/report.png is one of them).
# About 15 s with the fixtures cached (11-17 s measured on a busy 2-core machine).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_pith

if ! command -v chromium >/dev/null; then
  skip "report in chromium" "no chromium (scripts/install-deps installs it)"
  finish report
fi
OUT=${PITH_REPORT_OUT:-$(cd "$(dirname "$PITH")/.." && pwd)/report-test}
mkdir -p "$OUT"

debian_fixture
DEBIAN="docker-archive:$DEBIAN_ARCHIVE"
ALPINE="rootfs:$(alpine_minirootfs)"
# A root whose path and file names are markup: if any reached the page as HTML, a script would
# set the title or an <img> would load.
HOSTILE_DIR="$TEST_TMP/h'\"</script><script>document.title='pwned'</script>"
mkdir -p "$HOSTILE_DIR"
"$PYTHON" - "$HOSTILE_DIR/rootfs.tar" <<'EOF'
import io, sys, tarfile
names = ["opt/x</script><script>document.title='pwned'</script>/payload",
         "opt/<img src=x onerror=\"document.title='pwned'\">",
         "etc/os-release"]
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    for i, name in enumerate(names):
        data = b"ID=\"</script>\"\n" if name == "etc/os-release" else b"x" * (3000 * (i + 1))
        info = tarfile.TarInfo(name)
        info.size, info.mode = len(data), 0o644
        t.addfile(info, io.BytesIO(data))
EOF
HOSTILE="rootfs:$HOSTILE_DIR/rootfs.tar"
IMAGES=("$DEBIAN" "$ALPINE" "$HOSTILE")

for i in 0 1 2; do
  "$PITH" inspect --json "${IMAGES[$i]}" >"$TEST_TMP/inspect$i.json" 2>"$TEST_TMP/pith.stderr"
done

start=$SECONDS
if "$PITH" report "${IMAGES[@]}" -o "$TEST_TMP/report.html" 2>"$TEST_TMP/pith.stderr"; then
  pass "pith report writes the page ($((SECONDS - start)) s, $(stat -c %s "$TEST_TMP/report.html") bytes)"
else
  fail "pith report writes the page" "$(pith_stderr)"
  finish report
fi
cp "$TEST_TMP/report.html" "$OUT/report.html"
expect_error "-o is required" "--output is required" report "$DEBIAN"

# 1. The DOM Chromium renders, against inspect's numbers.
chromium_flags=(--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --user-data-dir="$TEST_TMP/chromium-profile")
chromium "${chromium_flags[@]}" --dump-dom "file://$TEST_TMP/report.html" >"$TEST_TMP/dom.html" \
  2>"$TEST_TMP/chromium.log" || true
"$PYTHON" - "$TEST_TMP/dom.html" "$TEST_TMP"/inspect{0,1,2}.json >"$TEST_TMP/dom-check.txt" <<'EOF'
import json, sys
from html.parser import HTMLParser

class Summary(HTMLParser):
    """data-value of every summary cell by (data-key, data-image), and the treemaps' totals."""
    def __init__(self):
        super().__init__()
        self.row, self.in_summary, self.values, self.treemaps = None, False, {}, {}
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("id") == "summary": self.in_summary = True
        if self.in_summary and tag == "tr": self.row = a.get("data-key")
        if self.in_summary and tag == "td" and self.row and "data-value" in a:
            self.values[(self.row, int(a["data-image"]))] = a["data-value"]
        if tag == "svg" and "treemap" in a.get("class", ""):
            self.treemaps[int(a["data-image"])] = (a.get("data-root"), a.get("data-bytes"))
    def handle_endtag(self, tag):
        if tag == "table": self.in_summary = False

p = Summary()
p.feed(open(sys.argv[1], encoding="utf-8").read())
for i, path in enumerate(sys.argv[2:]):
    j = json.load(open(path))
    want = {"compressed_size": j["size"]["compressed"], "uncompressed_size": j["size"]["uncompressed"],
            "content_size": j["size"]["content"], "packages": len(j["packages"]),
            "entries": j["files"]["entries"], "regular_files": j["files"]["regular"],
            "layers": len(j["layers"])}
    for key, value in want.items():
        print(f"image {i} {key} {p.values.get((key, i))} {value}")
    root, total = p.treemaps.get(i, (None, None))
    print(f"image {i} treemap_root {json.dumps(root)} \"\"")
    print(f"image {i} treemap_bytes {total} {j['size']['content']}")
EOF
while read -r _ i key got want; do
  check_equal "dump-dom: image $i $key as inspect" "$want" "$got"
done <"$TEST_TMP/dom-check.txt"

# 2. In the browser: click, zoom, sort, themes, requests.
if "$PYTHON" "$INTEGRATION_DIR/report_browser.py" "$TEST_TMP/report.html" "$OUT" \
  >"$TEST_TMP/browser.json" 2>"$TEST_TMP/browser.err"; then
  pass "chromium drives the page over the DevTools pipe"
else
  fail "chromium drives the page over the DevTools pipe" "$(tail -n 20 "$TEST_TMP/browser.err")"
  finish report
fi
B=$TEST_TMP/browser.json
check_equal "the script ran to its end" '"1"' "$(jq -c .ready "$B")"
check_equal "no request but the page itself" "[]" \
  "$(jq -c --arg page "file://$TEST_TMP/report.html" \
    '[.requests[] | select(. != $page and (startswith("data:") | not))]' "$B")"
check_equal "no src or href attribute in the DOM" "[]" "$(jq -c .url_attributes "$B")"
check_equal "hostile names stay text: no <img>" "0" "$(jq .images_in_dom "$B")"
# A script of the hostile names would have set the title to "pwned".
check_equal "hostile names stay text: the title is the references" \
  "$(jq -rs '"pith report: " + ([.[].reference] | join(" "))' "$TEST_TMP"/inspect{0,1,2}.json)" \
  "$(jq -r .title "$B")"
check_equal "the treemap starts at the root" '""' "$(jq -c .before.root "$B")"
check_equal "the treemap's total is inspect's file content" \
  "$(jq .size.content "$TEST_TMP/inspect0.json")" "$(jq .before.bytes "$B")"
clicked=$(jq -r .clicked.path "$B")
check_equal "the click zooms into $clicked" "$clicked" "$(jq -r .after.root "$B")"
check_equal "the zoomed view holds the directory's bytes" "$(jq .clicked.bytes "$B")" \
  "$(jq .after.bytes "$B")"
check_equal "the zoomed cells add up to the directory" "$(jq .clicked.bytes "$B")" \
  "$(jq '[.after.cells[].bytes] | add' "$B")"
check_equal "every zoomed cell is inside $clicked" "true" \
  "$(jq --arg p "$clicked/" '[.after.cells[].path | startswith($p)] | all' "$B")"
check_equal "the breadcrumbs end at $clicked" "$(jq -c --arg p "$clicked" '["/", ($p | split("/") | last)]' <<<null)" \
  "$(jq -c .after.crumbs "$B")"
check_equal "the first breadcrumb goes back up" '""' "$(jq -c .back "$B")"
check_equal "a header click sorts packages, largest installed size first" \
  "$(jq .largest_installed "$B")" "$(jq -r '.sorted_by_installed[0][4]' "$B")"
if [ "$(jq -r .light_background "$B")" != "$(jq -r .dark_background "$B")" ]; then
  pass "prefers-color-scheme: dark changes the theme"
else
  fail "prefers-color-scheme: dark changes the theme" "$(jq -c '[.light_background, .dark_background]' "$B")"
fi
check "a screenshot was saved" test -s "$OUT/report.png"
echo "     screenshots: $OUT/report.png, zoomed.png, dark.png"

finish report
