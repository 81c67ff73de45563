#!/usr/bin/env bash
# Hostile and broken inputs: one clear "pith: error:" line, exit 2, nothing written outside
# the destination and no partial output left behind.
source "$(dirname "$0")/lib.sh"

# No temporary or final output may remain in $tmp/out-dir after a failed copy.
expect_no_output() {
  local left
  left=$(ls -A "$tmp/outdir")
  expect_eq "$1: nothing left in the destination folder" "" "$left"
}
mkdir -p "$tmp/outdir"

# Not images at all.
head -c 4096 /dev/urandom >"$tmp/random.bin"
: >"$tmp/empty"
expect_error "random bytes" "$PITH" inspect "$tmp/random.bin"
expect_error "empty file" "$PITH" inspect "$tmp/empty"
expect_error "missing file" "$PITH" inspect "$tmp/does-not-exist"
expect_error "empty directory" "$PITH" ls "$tmp/outdir"
expect_error "random bytes as rootfs" "$PITH" copy "rootfs:$tmp/random.bin" "oci:$tmp/outdir/x"
expect_no_output "random rootfs"
expect_error "bad reference" "$PITH" inspect "docker-archive:"
expect_error "unknown command" "$PITH" inpsect x
grep -q "did you mean 'inspect'" "$tmp/err" && pass || fail "no suggestion: $(cat "$tmp/err")"
expect_error "bad platform" "$PITH" ls --platform nonsense "$C/dive/test-docker-image.tar"
expect_error "bad compression" "$PITH" copy --compress lzma "$C/dive/test-docker-image.tar" "oci:$tmp/outdir/x"
expect_no_output "bad compression"
expect_error "layer out of range" "$PITH" ls --layer 14 "$C/dive/test-docker-image.tar"

# A good OCI layout to damage.
"$PITH" copy -q "$C/dive/test-docker-image.tar" "oci:$tmp/good:t"
layer=$(jq -r '.manifests[0].digest' "$tmp/good/index.json" | cut -d: -f2)
layer=$(jq -r '.layers[1].digest' "$tmp/good/blobs/sha256/$layer" | cut -d: -f2)

# Truncated blob.
cp -a "$tmp/good" "$tmp/trunc"
truncate -s 100 "$tmp/trunc/blobs/sha256/$layer"
expect_error "truncated blob (ls)" "$PITH" ls "oci:$tmp/trunc:t"
grep -q "$layer" "$tmp/err" && pass || fail "truncated: the error names the blob: $(cat "$tmp/err")"
expect_error "truncated blob (copy)" "$PITH" copy "oci:$tmp/trunc:t" "oci-archive:$tmp/outdir/x.tar"
expect_no_output "truncated blob"

# Same size, wrong bytes.
cp -a "$tmp/good" "$tmp/tampered"
size=$(stat -c %s "$tmp/tampered/blobs/sha256/$layer")
printf 'X' | dd of="$tmp/tampered/blobs/sha256/$layer" bs=1 seek=$((size - 700)) conv=notrunc status=none
expect_error "tampered blob (copy)" "$PITH" copy "oci:$tmp/tampered:t" "docker-archive:$tmp/outdir/x.tar"
grep -q "sha256:$layer" "$tmp/err" && pass || fail "tampered: the error names the blob: $(cat "$tmp/err")"
expect_no_output "tampered blob"
expect_error "tampered blob into a new layout" "$PITH" copy "oci:$tmp/tampered:t" "oci:$tmp/outdir/layout"
expect_eq "tampered blob: the error names the blob once, with the digest sha256sum gives" \
  "pith: error: blob sha256:$layer: digest mismatch: got sha256:$(sha256sum <"$tmp/tampered/blobs/sha256/$layer" | cut -c1-64)" \
  "$(cat "$tmp/err")"
expect_no_output "tampered blob into a new layout"

# An uncompressed layer whose digest is its diff_id (a docker-archive's, hashed once while it is
# parsed): one byte of a file in it changed, same size, fails inspect and ls naming the layer.
python3 - "$C/dive/test-docker-image.tar" "$tmp/tampered-docker.tar" <<'PY'
import json, shutil, sys, tarfile
src, dst = sys.argv[1], sys.argv[2]
shutil.copy(src, dst)
with tarfile.open(dst) as outer:
    layer = json.load(outer.extractfile("manifest.json"))[0]["Layers"][0]
    member = outer.getmember(layer)
    with tarfile.open(fileobj=outer.extractfile(member)) as inner:
        f = next(m for m in inner if m.isreg() and m.size > 0)
        at = member.offset_data + f.offset_data
with open(dst, "r+b") as out:
    out.seek(at)
    b = out.read(1)
    out.seek(at)
    out.write(bytes([b[0] ^ 0xFF]))
PY
diff_id=$(tar -xOf "$tmp/tampered-docker.tar" manifest.json | jq -r '.[0].Config' | xargs -I{} tar -xOf "$tmp/tampered-docker.tar" {} | jq -r '.rootfs.diff_ids[0]')
for verb in inspect ls; do
  expect_error "tampered uncompressed layer ($verb)" "$PITH" "$verb" "docker-archive:$tmp/tampered-docker.tar"
  grep -q "$diff_id.*digest mismatch" "$tmp/err" && pass || fail "tampered uncompressed layer ($verb): $(cat "$tmp/err")"
done

# A blob that is a symlink out of the layout.
cp -a "$tmp/good" "$tmp/escape"
echo "secret" >"$tmp/secret"
rm "$tmp/escape/blobs/sha256/$layer"
ln -s "$tmp/secret" "$tmp/escape/blobs/sha256/$layer"
expect_error "blob symlinked out of the layout" "$PITH" ls "oci:$tmp/escape:t"
grep -q "outside" "$tmp/err" && pass || fail "symlink escape: $(cat "$tmp/err")"
rm "$tmp/escape/blobs/sha256/$layer"
ln -s "../../../secret" "$tmp/escape/blobs/sha256/$layer"
expect_error "blob relative symlink out of the layout" "$PITH" ls "oci:$tmp/escape:t"

# Absurd sizes in a manifest: a layer said to be 1 EB, a config said to be 1 GB.
cp -a "$tmp/good" "$tmp/absurd"
m=$(jq -r '.manifests[0].digest' "$tmp/absurd/index.json" | cut -d: -f2)
jq -c '.layers[0].size = 1000000000000000000' "$tmp/absurd/blobs/sha256/$m" >"$tmp/m.json"
nd=$(sha256sum "$tmp/m.json" | cut -d' ' -f1)
cp "$tmp/m.json" "$tmp/absurd/blobs/sha256/$nd"
jq -c --arg d "sha256:$nd" --argjson s "$(stat -c %s "$tmp/m.json")" \
  '.manifests[0].digest = $d | .manifests[0].size = $s' "$tmp/good/index.json" >"$tmp/absurd/index.json"
expect_error "absurd layer size" "$PITH" ls "oci:$tmp/absurd:t"
jq -c '.config.size = 1000000000' "$tmp/good/blobs/sha256/$m" >"$tmp/m2.json"
nd=$(sha256sum "$tmp/m2.json" | cut -d' ' -f1)
cp "$tmp/m2.json" "$tmp/absurd/blobs/sha256/$nd"
jq -c --arg d "sha256:$nd" --argjson s "$(stat -c %s "$tmp/m2.json")" \
  '.manifests[0].digest = $d | .manifests[0].size = $s' "$tmp/good/index.json" >"$tmp/absurd/index.json"
expect_error "absurd config size" "$PITH" inspect "oci:$tmp/absurd:t"

# docker-archive whose manifest.json points outside the archive.
mkdir -p "$tmp/evil"
printf '[{"Config":"../../etc/passwd","RepoTags":["evil:1"],"Layers":["../../etc/shadow"]}]' >"$tmp/evil/manifest.json"
tar -C "$tmp/evil" -cf "$tmp/evil.tar" manifest.json
expect_error "manifest.json naming ../../etc/passwd" "$PITH" copy "$tmp/evil.tar" "oci:$tmp/outdir/evil"
expect_no_output "evil manifest.json"
printf '[{"Config":"/etc/passwd","RepoTags":null,"Layers":[]}]' >"$tmp/evil/manifest.json"
tar -C "$tmp/evil" -cf "$tmp/evil2.tar" manifest.json
expect_error "manifest.json naming /etc/passwd" "$PITH" inspect "$tmp/evil2.tar"

# A layer whose tar climbs out with "..".
mkdir -p "$tmp/climb"
printf 'x' >"$tmp/climb/f"
tar -C "$tmp/climb" --transform 's|^f$|../../escape|' -cf "$tmp/climb-layer.tar" f 2>/dev/null
expect_error "layer entry with .." "$PITH" ls "rootfs:$tmp/climb-layer.tar"

# A failed copy into an existing layout (of another image) leaves that layout as it was.
"$PITH" copy -q "$C/go-containerregistry/pkg/v1/tarball/testdata/hello-world-v25.tar" "oci:$tmp/existing:hello"
before=$(cd "$tmp/existing" && find . -type f | sort | xargs sha256sum)
expect_error "tampered copy into an existing layout" "$PITH" copy "oci:$tmp/tampered:t" "oci:$tmp/existing:other"
after=$(cd "$tmp/existing" && find . -type f | sort | xargs sha256sum)
expect_eq "existing layout unchanged" "$before" "$after"

# An interrupted copy leaves no destination and no temporary file.
big=$tmp/big
mkdir -p "$big/root"
head -c 200000000 /dev/urandom >"$big/root/blob"
timeout -s INT 0.5 "$PITH" copy --compress gzip "rootfs:$big/root" "oci-archive:$tmp/outdir/big.tar" >/dev/null 2>&1
expect_no_output "interrupted copy"

# --layer counts from 0 at the bottom, or from -1 at the top as Python indexes do (never "every
# layer"); beyond either end is a usage error.
dive=$C/dive/test-docker-image.tar
expect_eq "--layer -1 is the top layer" "$("$PITH" ls --json --layer 13 "$dive")" \
  "$("$PITH" ls --json --layer -1 "$dive")"
expect_eq "--layer -14 is the bottom layer" "$("$PITH" ls --json --layer 0 "$dive")" \
  "$("$PITH" ls --json --layer -14 "$dive")"
expect_error "--layer -15" "$PITH" ls --layer -15 "$dive"
expect_eq "its message" "pith: error: --layer -15: the image has 14 layers (0 to 13, or -14 to -1)" \
  "$(cat "$tmp/err")"

# Destinations that are not regular files are refused and left as they were (as root, the
# device is made here, never /dev/null itself).
mkfifo "$tmp/fifo"
expect_error "a FIFO as destination" "$PITH" copy "$C/dive/test-docker-image.tar" "oci-archive:$tmp/fifo"
[ -p "$tmp/fifo" ] && pass || fail "the FIFO was replaced"
if mknod "$tmp/null" c 1 3 2>/dev/null; then
  expect_error "a device as destination" "$PITH" copy "$C/dive/test-docker-image.tar" "docker-archive:$tmp/null:a/b:1"
  [ -c "$tmp/null" ] && pass || fail "the device was replaced"
fi
# /proc/self/fd/1 with stdout a pipe (a link to a regular file would be followed, as below).
ln -s /proc/self/fd/1 "$tmp/stdout-link"
"$PITH" copy "$C/dive/test-docker-image.tar" "oci-archive:$tmp/stdout-link" 2>"$tmp/err" | cat >/dev/null
rc=${PIPESTATUS[0]}
expect_eq "a link to a pipe as destination: one error line" "2 1" "$rc $(grep -c '^pith: error: ' "$tmp/err")"
[ -L "$tmp/stdout-link" ] && pass || fail "the link was replaced"
echo "old" >"$tmp/plain"
ln -s plain "$tmp/plain-link"
expect_ok "a link to a regular file as destination" "$PITH" copy -q "$C/dive/test-docker-image.tar" "oci-archive:$tmp/plain-link"
[ -L "$tmp/plain-link" ] && [ "$("$PITH" inspect --json "$tmp/plain" | jq -r .layers[0].digest)" != null ] && pass ||
  fail "the link was not followed to the file"

# Names that hold newlines and escape sequences are listed as GNU tar lists them, one line each.
python3 "$(dirname "$0")/make_archive.py" "$tmp/names.tar" <<'JSON'
{"layers": [[{"path": "a\nb", "content": "x"}, {"path": "e\u001b[2Jx"}, {"path": "back\\slash"},
             {"path": "tab\tc"}, {"path": "fake\n-rwsr-xr-x 0/0 1 2024-01-01 00:00 /bin/su"}]]}
JSON
mkdir -p "$tmp/names"
tar -xf "$tmp/names.tar" -C "$tmp/names"
expect_eq "ls: one line per entry, names escaped as GNU tar escapes them" \
  "$(tar -tf "$tmp/names/0/layer.tar" | sort)" \
  "$("$PITH" ls --layer 0 "$tmp/names.tar" | sed 's|^[^/]*/[^ ]* *[0-9]* [0-9-]* [0-9:]* /||' | sort)"
expect_eq "ls: no control byte reaches the terminal" "0" \
  "$("$PITH" ls "$tmp/names.tar" | tr -d '\n' | LC_ALL=C grep -c '[[:cntrl:]]')"
expect_eq "ls --json keeps the names exact" "a
b" "$("$PITH" ls --json "$tmp/names.tar" | jq -r '.[] | select(.path | startswith("/a")) | .path[1:]')"

# Layers: at most 1280, checked before any is read; a layer path listed again is the same blob
# (digested once: 100,000 listings of one gzip layer took 3.9 s and 300 MB before).
python3 - "$tmp/many" <<'PY'
import gzip, hashlib, io, json, sys, tarfile
def add(t, name, data):
    i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w", format=tarfile.GNU_FORMAT) as t:
    add(t, "f", b"x")
plain = layer.getvalue()
blob = gzip.compress(plain, mtime=0)
for n in (1280, 1281):
    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers",
        "diff_ids": ["sha256:" + hashlib.sha256(plain).hexdigest()] * n}}).encode()
    with tarfile.open(sys.argv[1] + "-%d.tar" % n, "w") as t:
        add(t, "l/layer.tar", blob)
        add(t, "c.json", config)
        add(t, "manifest.json", json.dumps([{"Config": "c.json", "RepoTags": ["m:1"],
                                             "Layers": ["l/layer.tar"] * n}]).encode())
PY
expect_eq "1280 listings of one layer: one blob" "1280 1" \
  "$("$PITH" inspect --json "$tmp/many-1280.tar" | jq -r '[.layers | length, (map(.digest) | unique | length)] | join(" ")')"
expect_error "1281 layers" "$PITH" ls "$tmp/many-1281.tar"
expect_eq "the cap's message" "pith: error: $tmp/many-1281.tar: manifest.json: 1281 layers (pith reads at most 1280)" \
  "$(cat "$tmp/err")"

# A manifest blob of more than 4 MiB (registries' and skopeo's bound) is refused from its
# descriptor's size, before it is read: 100,000 layers made sbom and report parse 14 MB twice,
# 20 s under ASan.
python3 - "$tmp/big" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]; os.makedirs(d + "/blobs/sha256")
def put(b):
    h = hashlib.sha256(b).hexdigest(); open(d + "/blobs/sha256/" + h, "wb").write(b); return h
layer = {"mediaType": "application/vnd.oci.image.layer.v1.tar", "size": 1, "digest": "sha256:" + "0" * 64}
config = {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 2, "digest": "sha256:" + put(b"{}")}
m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": config, "layers": [layer] * 40000}).encode()
assert len(m) > 4 << 20
h = put(m)
open(d + "/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
open(d + "/index.json", "w").write(json.dumps({"schemaVersion": 2, "manifests": [{
    "mediaType": "application/vnd.oci.image.manifest.v1+json", "size": len(m), "digest": "sha256:" + h,
    "annotations": {"org.opencontainers.image.ref.name": "t"}}]}))
print(len(m), h, file=open(d + ".facts", "w"))
PY
read -r big_size big_hex <"$tmp/big.facts"
expect_error "a 5 MB manifest" "$PITH" sbom "oci:$tmp/big:t"
expect_eq "its message names it and the bound" "pith: error: manifest sha256:$big_hex: $big_size bytes (pith reads manifests of at most 4194304 bytes, as registries and skopeo do)" \
  "$(cat "$tmp/err")"

finish
