#!/usr/bin/env python3
"""Writes the hostile-image corpus that tests/hostile/hostile.test.sh runs every image-reading
pith verb on (issue #10: nothing outside the output is touched, nothing crashes, hangs or
balloons).

Usage: make_cases.py OUTDIR [--box /tmp]

OUTDIR receives:
  cases.tsv      one line per run: id, case, class, verb, expect, dest, nofile, kill_after,
                 checks, and the arguments escaped for people to read
  argv/<id>      the run's arguments after `pith`, NUL-separated (references may hold any byte)
  cases/<case>/in/   the image files, copied to BOX/in before the run
  cases/<case>/out/  what already sits in BOX/out before the run (destination cases)

Each run sees a fixed layout inside its mount namespace (BOX is /tmp there): BOX/in (input),
BOX/out (output parent), BOX/t (TMPDIR), BOX/sentinel (files nothing may touch). Cases aim at
those paths, so an escape lands somewhere the harness looks.

expect: ok (exit 0), error (exit 2, one "pith: error:" line), either (one of the two), killed
(SIGKILLed after kill_after seconds: no half image at dest). checks: lines=N (stdout lines),
noctl (no control byte on stdout), json (stdout is strict UTF-8 JSON), jsonlen=N (a JSON array
of N items), empty (nothing on stdout), enospc-ok (the image holds more than a tmpfs, so
filling one is no blow-up), stale with gone=P / fresh=P (stale .pith-tmp-* files: P removed /
P, touched just before the run, kept).

Every digest is correct (layer, diff_id, config, manifest, index) unless a case is about a
digest lie, so the hostile part is reached. Output is deterministic: fixed mtimes, gzip and
zstd streams written here (zlib full-flush chunks; zstd raw and RLE blocks), no clocks. Big
data is described as runs of zeros and never held whole: a 2 GiB bomb is 64 KiB on disk.
Only the host's /bin/true and its libraries are copied in (for build --from cases that need a
real dynamic ELF entrypoint).
"""
import argparse
import hashlib
import json
import os
import shutil
import struct
import zlib

MTIME = 1700000000
KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30
READ_VERBS = ("ls", "inspect", "compare", "lint", "sbom", "report", "copy")
# build --from and slim unpack the image into a root and read it as one.
ALL_VERBS = READ_VERBS + ("build", "slim")
MAX_CASE_BYTES = 8 * MIB  # on disk (allocated), so a run's copy into its tmpfs stays cheap


# ---------------------------------------------------------------------------------------------
# Streams: bytes with runs of zeros, hashed and compressed without being held whole.

class Stream:
    """A byte sequence as segments: bytes, or an int n meaning n zero bytes."""

    def __init__(self, segments=()):
        self.segs = []
        for s in segments:
            self.add(s)
        self._sha = None

    def add(self, s):
        self._sha = None
        if isinstance(s, Stream):
            for x in s.segs:
                self.add(x)
            return self
        if isinstance(s, int):
            if s == 0:
                return self
            if self.segs and isinstance(self.segs[-1], int):
                self.segs[-1] += s
            else:
                self.segs.append(s)
            return self
        if not s:
            return self
        if self.segs and isinstance(self.segs[-1], bytes) and len(self.segs[-1]) < 64 * KIB:
            self.segs[-1] += bytes(s)
        else:
            self.segs.append(bytes(s))
        return self

    def __len__(self):
        return sum(s if isinstance(s, int) else len(s) for s in self.segs)

    def key(self):
        return tuple(s if isinstance(s, int) else hashlib.sha256(s).digest() for s in self.segs)

    def small(self):
        assert len(self) <= 64 * MIB, "only small streams are materialised"
        return b"".join(bytes(s) if isinstance(s, int) else s for s in self.segs)


def as_stream(x):
    return x if isinstance(x, Stream) else Stream([x])


ZERO_CHUNK = bytes(MIB)
_sha_memo = {}


def sha256_hex(x):
    st = as_stream(x)
    if st._sha:
        return st._sha
    k = st.key()
    if k not in _sha_memo:
        h = hashlib.sha256()
        for s in st.segs:
            if isinstance(s, int):
                for _ in range(s // MIB):
                    h.update(ZERO_CHUNK)
                h.update(bytes(s % MIB))
            else:
                h.update(s)
        _sha_memo[k] = h.hexdigest()
    st._sha = _sha_memo[k]
    return st._sha


def digest(x):
    return "sha256:" + sha256_hex(x)


def crc32_of(st):
    c = 0
    for s in st.segs:
        if isinstance(s, int):
            for _ in range(s // MIB):
                c = zlib.crc32(ZERO_CHUNK, c)
            c = zlib.crc32(bytes(s % MIB), c)
        else:
            c = zlib.crc32(s, c)
    return c


_deflated_zero_mib = None


def gzip_stream(x):
    """One gzip member. Each segment ends with a full flush, which resets the compressor, so
    a MiB of zeros always deflates to the same bytes and is computed once."""
    global _deflated_zero_mib
    st = as_stream(x)
    if _deflated_zero_mib is None:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        _deflated_zero_mib = c.compress(ZERO_CHUNK) + c.flush(zlib.Z_FULL_FLUSH)
    out = Stream([b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"])
    for s in st.segs:
        if isinstance(s, int):
            n = s // MIB
            out.add(_deflated_zero_mib * n)
            if s % MIB:
                c = zlib.compressobj(9, zlib.DEFLATED, -15)
                out.add(c.compress(bytes(s % MIB)) + c.flush(zlib.Z_FULL_FLUSH))
        else:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            out.add(c.compress(s) + c.flush(zlib.Z_FULL_FLUSH))
    out.add(zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH))
    out.add(struct.pack("<II", crc32_of(st), len(st) & 0xFFFFFFFF))
    return out


def zstd_stream(x, window_log=17):
    """One zstd frame of raw and RLE blocks (RFC 8878): block headers are 3 bytes, a block
    holds at most 128 KiB (and no more than the window)."""
    st = as_stream(x)
    block_max = min(128 * KIB, 1 << window_log)
    fhd = 0x00  # no single segment, no checksum, no dictionary, no content size
    out = Stream([struct.pack("<I", 0xFD2FB528) + bytes([fhd, (window_log - 10) << 3])])
    blocks = []  # (type, size, payload)
    for s in st.segs:
        if isinstance(s, int):
            while s:
                n = min(s, block_max)
                blocks.append((1, n, b"\x00"))
                s -= n
        else:
            for i in range(0, len(s), block_max):
                part = s[i:i + block_max]
                blocks.append((0, len(part), part))
    if not blocks:
        blocks.append((0, 0, b""))
    rle_memo = {}
    for i, (typ, size, payload) in enumerate(blocks):
        last = 1 if i == len(blocks) - 1 else 0
        hdr = (size << 3) | (typ << 1) | last
        b = hdr.to_bytes(3, "little") + payload
        if typ == 1:
            b = rle_memo.setdefault((size, last), b)
        out.add(b)
    return out


_compressed = {}


def compress(x, comp):
    """The layer blob; the same tar compressed twice is compressed once."""
    st = as_stream(x)
    if comp == "none":
        return st
    k = (comp, st.key())
    if k not in _compressed:
        _compressed[k] = gzip_stream(st) if comp == "gzip" else zstd_stream(st)
    return _compressed[k]


# ---------------------------------------------------------------------------------------------
# Tar: headers byte by byte, so that broken ones can be made on purpose.

def _field(h, off, width, value):
    value = bytes(value)[:width]
    h[off:off + len(value)] = value


def octal(n, width):
    """A numeric field: octal when it fits, else GNU base-256 (as GNU tar writes big sizes)."""
    if n < 8 ** (width - 1):
        return ("%0*o" % (width - 1, n)).encode() + b"\0"
    return b"\x80" + n.to_bytes(width - 1, "big")


def header(name, typ=b"0", size=0, mode=0o644, link=b"", mtime=MTIME, gnu=False,
           fields=None, chksum=None):
    """A 512-byte ustar (or old GNU) header. fields: {offset: raw bytes} written after the
    normal fields; chksum: raw bytes for the checksum field instead of the right value."""
    h = bytearray(512)
    _field(h, 0, 100, name)
    _field(h, 100, 8, octal(mode, 8))
    _field(h, 108, 8, octal(0, 8))
    _field(h, 116, 8, octal(0, 8))
    _field(h, 124, 12, octal(size, 12))
    _field(h, 136, 12, octal(mtime, 12))
    _field(h, 156, 1, typ)
    _field(h, 157, 100, link)
    _field(h, 257, 8, b"ustar  \0" if gnu else b"ustar\x0000")
    _field(h, 265, 32, b"root")
    _field(h, 297, 32, b"root")
    for off, raw in (fields or {}).items():
        h[off:off + len(raw)] = raw
    if chksum is None:
        h[148:156] = b" " * 8
        chksum = ("%06o" % sum(h)).encode() + b"\0 "
    h[148:156] = chksum
    return bytes(h)


def pad(n):
    return (512 - n % 512) % 512


def pax_record(key, value):
    body = b" " + key + b"=" + value + b"\n"
    n = len(body) + 1
    while len(str(n).encode()) + len(body) != n:
        n += 1
    return str(n).encode() + body


def pax_block(records=(), raw=None, typ=b"x"):
    data = raw if raw is not None else b"".join(pax_record(k, v) for k, v in records)
    return header(b"./PaxHeaders/x", typ=typ, size=len(data)) + data + bytes(pad(len(data)))


def entry(path, kind="file", data=b"", target=b"", mode=None):
    """One member: a pax header first when a name does not fit ustar's fields."""
    path = path if isinstance(path, bytes) else path.encode()
    target = target if isinstance(target, bytes) else target.encode()
    typ = {"file": b"0", "dir": b"5", "symlink": b"2", "hardlink": b"1"}[kind]
    if mode is None:
        mode = 0o755 if kind == "dir" else 0o644
    records = []
    if len(path) > 99:
        records.append((b"path", path))
    if len(target) > 99:
        records.append((b"linkpath", target))
    data = as_stream(data)
    out = Stream()
    if records:
        out.add(pax_block(records))
    out.add(header(path[:99], typ, len(data) if kind == "file" else 0, mode, target[:99]))
    if kind == "file":
        out.add(data).add(pad(len(data)))
    return out


def tar(*members):
    """Members (entry() results or raw bytes) and the two zero blocks that end an archive."""
    out = Stream()
    for m in members:
        out.add(m)
    return out.add(1024)


def files(*specs):
    """tar() of (path, kind[, data/target[, mode]]) tuples, data for files and target for
    links."""
    members = []
    for spec in specs:
        path, kind, arg, mode = (tuple(spec) + (b"", None)[len(spec) - 2:])[:4]
        if kind in ("symlink", "hardlink"):
            members.append(entry(path, kind, target=arg))
        else:
            members.append(entry(path, kind, data=arg, mode=mode))
    return tar(*members)


# ---------------------------------------------------------------------------------------------
# Images: configs, manifests, indexes, layouts and archives, digests computed from the bytes.

MT = {
    "manifest": "application/vnd.oci.image.manifest.v1+json",
    "index": "application/vnd.oci.image.index.v1+json",
    "config": "application/vnd.oci.image.config.v1+json",
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
    "none": "application/vnd.oci.image.layer.v1.tar",
}


def jdump(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


class Layer:
    def __init__(self, tar_stream, comp="gzip"):
        self.tar = as_stream(tar_stream)
        self.comp = comp
        self.blob = compress(self.tar, comp)
        self.diff_id = digest(self.tar)
        self.media_type = MT[comp]

    def desc(self):
        return {"mediaType": self.media_type, "digest": digest(self.blob), "size": self.size}

    @property
    def size(self):
        if not hasattr(self, "_size"):
            self._size = len(self.blob)
        return self._size


class Image:
    """An image: config and manifest bytes and every blob by digest. mutate_config and
    mutate_manifest edit the JSON objects before they are hashed (the lies a case tells)."""

    def __init__(self, layers, config=None, mutate_config=None, mutate_manifest=None,
                 config_bytes=None, manifest_bytes=None, arch="amd64"):
        self.layers = layers
        cfg = {"architecture": arch, "os": "linux", "created": "2023-11-14T22:13:20Z",
               "config": {"Env": ["PATH=/bin"]},
               "rootfs": {"type": "layers", "diff_ids": [l.diff_id for l in layers]},
               "history": [{"created": "2023-11-14T22:13:20Z", "created_by": "make_cases.py"}
                           for _ in layers]}
        for k, v in (config or {}).items():
            cfg[k] = v
        if mutate_config:
            mutate_config(cfg)
        self.config = config_bytes if config_bytes is not None else jdump(cfg)
        man = {"schemaVersion": 2, "mediaType": MT["manifest"],
               "config": {"mediaType": MT["config"], "digest": digest(self.config),
                          "size": len(self.config)},
               "layers": [l.desc() for l in layers]}
        if mutate_manifest:
            mutate_manifest(man)
        self.manifest = manifest_bytes if manifest_bytes is not None else jdump(man)
        self.blobs = {digest(self.config): as_stream(self.config),
                      digest(self.manifest): as_stream(self.manifest)}
        for l in layers:
            self.blobs[digest(l.blob)] = l.blob

    def desc(self, **extra):
        d = {"mediaType": MT["manifest"], "digest": digest(self.manifest),
             "size": len(self.manifest)}
        d.update(extra)
        return d


class Fifo:
    pass


class Dir:
    pass


class Symlink:
    def __init__(self, target):
        self.target = target if isinstance(target, bytes) else target.encode()


class Device:
    def __init__(self, major, minor):
        self.major, self.minor = major, minor


class Sparse:
    """A regular file of `size` bytes with no data written (a hole on disk)."""

    def __init__(self, size):
        self.size = size


def b(s):
    return s if isinstance(s, bytes) else s.encode()


def blob_path(d):
    return b"blobs/sha256/" + d.split(":")[1].encode()


def oci_tree(img, tag="t", index=None, extra_blobs=None):
    """An OCI layout: oci-layout, index.json naming the manifest with ref.name `tag`."""
    tree = {b"oci-layout": b'{"imageLayoutVersion":"1.0.0"}'}
    if index is None:
        ann = {"org.opencontainers.image.ref.name": tag} if tag is not None else {}
        index = jdump({"schemaVersion": 2, "mediaType": MT["index"],
                       "manifests": [img.desc(annotations=ann) if ann else img.desc()]})
    tree[b"index.json"] = index
    blobs = dict(img.blobs) if img else {}
    blobs.update(extra_blobs or {})
    for d, data in blobs.items():
        tree[blob_path(d)] = data
    return tree


def docker_tree(img, repotag="localhost/hostile:1", hybrid=False, manifest_json=None):
    """docker save output: legacy <id>/layer.tar + <config>.json, or the Docker 25 hybrid
    (manifest.json over an OCI layout with uncompressed or compressed blobs)."""
    if hybrid:
        tree = oci_tree(img, tag=None, index=jdump({
            "schemaVersion": 2, "mediaType": MT["index"],
            "manifests": [img.desc(annotations={"io.containerd.image.name": repotag,
                                                "org.opencontainers.image.ref.name": "1"})]}))
        cfg = "blobs/sha256/" + sha256_hex(img.config)
        layers = ["blobs/sha256/" + sha256_hex(l.blob) for l in img.layers]
    else:
        tree = {}
        cfg = sha256_hex(img.config) + ".json"
        tree[cfg.encode()] = img.config
        layers = []
        for l in img.layers:
            # Named by content, so a layer listed many times is stored once.
            name = sha256_hex(l.blob) + "/layer.tar"
            layers.append(name)
            tree[name.encode()] = l.blob
    if manifest_json is None:
        manifest_json = jdump([{"Config": cfg, "RepoTags": [repotag], "Layers": layers}])
    tree[b"manifest.json"] = manifest_json
    return tree


def tar_of_tree(tree):
    """A deterministic tar of a tree, parent directories first (as docker save writes)."""
    members, seen = [], set()
    for path in sorted(tree):
        parts = path.split(b"/")
        for i in range(1, len(parts)):
            d = b"/".join(parts[:i]) + b"/"
            if d not in seen:
                seen.add(d)
                members.append(entry(d, "dir"))
        node = tree[path]
        if isinstance(node, Symlink):
            members.append(entry(path, "symlink", target=node.target))
        elif isinstance(node, Dir):
            members.append(entry(path + b"/", "dir"))
        else:
            members.append(entry(path, "file", data=node))
    return tar(*members)


# ---------------------------------------------------------------------------------------------
# The base: the host's /bin/true and its loader and libc, for builds that must get past the
# entrypoint (ld.so.conf cases, controls). Everything else has no /bin/true: build must fail.

def host_file(path):
    with open(path, "rb") as f:
        return f.read()


_base = None


def base_layer():
    global _base
    if _base is None:
        _base = Layer(files(
            # Executable, as the build checks (rule PL107) and a runtime needs.
            ("bin/", "dir"), ("bin/true", "file", host_file("/bin/true"), 0o755),
            ("etc/", "dir"), ("etc/ld.so.conf", "file", b"/lib/x86_64-linux-gnu\n"),
            ("lib/", "dir"), ("lib/x86_64-linux-gnu/", "dir"),
            ("lib/x86_64-linux-gnu/libc.so.6", "file",
             host_file("/lib/x86_64-linux-gnu/libc.so.6")),
            ("lib64/", "dir"),
            ("lib64/ld-linux-x86-64.so.2", "file", host_file("/lib64/ld-linux-x86-64.so.2"),
             0o755)))
    return _base


# ---------------------------------------------------------------------------------------------
# Cases.

class Cases:
    def __init__(self, box):
        self.box = box.rstrip("/")
        self.IN = self.box + "/in"
        self.OUT = self.box + "/out"
        self.SENT = self.box + "/sentinel"
        self.TMP = self.box + "/t"
        self.list = []
        self.names = set()

    def add(self, name, cls, tree, ref, expect="either", build="error", verbs=ALL_VERBS,
            out=None, checks=None, nofile=None, entrypoint="/bin/true", extra_runs=(),
            kill_after=None, big=False):
        """One case: `tree` goes to BOX/in, `ref` (a str or bytes; {IN} expands) is read by
        every verb in `verbs`. expect is the reading verbs' expectation (a str, or a dict by
        verb with "*" as the rest); build is build --from's (no /bin/true: an error).
        big: the image really holds more than a tmpfs, so build --from may fill TMPDIR
        (enospc-ok) and copy re-encodes its layers (an uncompressed one would fill the
        output)."""
        assert name not in self.names, name
        self.names.add(name)
        ref = b(ref).replace(b"{IN}", self.IN.encode())
        if isinstance(expect, str):
            expect = {"*": expect}
        runs = []
        for verb in verbs:
            want = build if verb == "build" else expect.get(verb, expect.get("*"))
            if verb == "slim":
                # slim keeps owners and xattrs where build drops them: where build works, slim
                # may refuse what only it reads (a trusted.overlay xattr), cleanly.
                want = "either" if build == "ok" else build
            chk = (checks or {}).get(verb, "")
            if big and verb in ("build", "slim"):
                chk = ",".join(filter(None, [chk, "enospc-ok"]))
            runs.append(self.run(verb, ref, want, chk, entrypoint,
                                 ("--compress", "zstd") if big else ()))
        for verb, argv, want, chk, dest in extra_runs:
            runs.append((verb, [b(a).replace(b"{IN}", self.IN.encode()) for a in argv], want,
                         chk, dest))
        self.list.append({"name": name, "cls": cls, "tree": tree, "out": out, "runs": runs,
                          "nofile": nofile, "kill_after": kill_after})

    def run(self, verb, ref, want, chk, entrypoint, copy_args=()):
        dest = self.OUT + "/img"
        if verb == "ls":
            return (verb, [b"ls", ref], want, chk, "-")
        if verb == "inspect":
            return (verb, [b"inspect", ref], want, chk, "-")
        if verb == "compare":
            return (verb, [b"compare", ref], want, chk, "-")
        if verb == "lint":
            return (verb, [b"lint", b"--no-fail", ref], want, chk, "-")
        if verb == "sbom":
            return (verb, [b"sbom", ref], want, chk, "-")
        if verb == "report":
            page = self.OUT + "/report.html"
            return (verb, [b"report", ref, b"-o", b(page)], want, chk, page)
        if verb == "copy":
            return (verb, [b"copy"] + [b(a) for a in copy_args] + [ref, b"oci:" + b(dest) + b":t"],
                    want, chk, dest)
        if verb == "slim":
            return (verb, [b"slim", b"-q", ref, b"--entrypoint", b(entrypoint), b"-o",
                           b"oci:" + b(dest) + b":t"], want, chk, dest)
        if verb == "build":
            return (verb, [b"build", b"-q", b"--no-ca-certs", b"--from", ref, b"--entrypoint",
                           b(entrypoint), b"-o", b"oci:" + b(dest) + b":t"], want, chk, dest)
        raise ValueError(verb)

    def forms(self, name, cls, img, forms=("oci", "oci-archive", "docker", "docker-hybrid"),
              **kw):
        """The same image in several transports, one case each (name-FORM)."""
        for form in forms:
            tree, ref = self.form(img, form)
            self.add(name + "-" + form, cls, tree, ref, **kw)

    def form(self, img, form):
        if form == "oci":
            return {b"img/" + k: v for k, v in oci_tree(img).items()}, "oci:{IN}/img:t"
        if form == "oci-archive":
            return {b"img.tar": tar_of_tree(oci_tree(img))}, "oci-archive:{IN}/img.tar:t"
        if form == "docker":
            return {b"img.tar": tar_of_tree(docker_tree(img))}, "docker-archive:{IN}/img.tar"
        if form == "docker-hybrid":
            return ({b"img.tar": tar_of_tree(docker_tree(img, hybrid=True))},
                    "docker-archive:{IN}/img.tar")
        if form == "dir":
            assert len(img.layers) == 1
            return {b"rootfs.tar": img.layers[0].blob}, "rootfs:{IN}/rootfs.tar"
        raise ValueError(form)


def layer_image(*tars, comp="gzip", base=False, **kw):
    layers = ([base_layer()] if base else []) + [Layer(t, comp) for t in tars]
    return Image(layers, **kw)


def oci_case(c, name, cls, img, **kw):
    c.add(name, cls, {b"img/" + k: v for k, v in oci_tree(img).items()}, "oci:{IN}/img:t", **kw)


# --- controls: well-formed images every verb must handle (a harness that rejects everything
# would fail here).

def controls(c):
    small = files(("etc/", "dir"), ("etc/hostname", "file", b"control\n"),
                  ("usr/", "dir"), ("usr/share/", "dir"), ("usr/share/doc", "file", b"doc\n"))
    c.forms("control", "control", layer_image(small),
            forms=("oci", "oci-archive", "docker", "docker-hybrid", "dir"), expect="ok")
    c.forms("control-base", "control", layer_image(small, base=True),
            forms=("oci", "docker"), expect="ok", build="ok")
    c.forms("control-zstd", "control", layer_image(small, comp="zstd"), forms=("oci",),
            expect="ok")


# --- classic (already pass): escapes, links out, whiteouts through symlinks, broken tar,
# digest and size lies, JSON nesting, bombs, kill -9.

def classic_escapes(c):
    S = c.SENT.lstrip("/")
    cases = {
        "dotdot": b"../escape",
        "dotdot-sentinel": b"../../" + S.encode() + b"/pwned",
        "dotdot-inner": b"a/../../x",
        "dot-dotdot": b"./../x",
        "dotdot-20": b"../" * 20 + S.encode() + b"/pwned",
        "dotdot-pax": b"a/" + b"../" * 60 + S.encode() + b"/pwned-long-path-in-a-pax-record",
    }
    for name, path in cases.items():
        t = tar(entry(b"a/", "dir"), entry(path, data=b"pwned\n"))
        c.forms("escape-" + name, "classic", layer_image(t), forms=("oci", "docker"),
                expect={"*": "error", "copy": "either"})
    t = tar(entry(b"a/", "dir"), entry(b"../escape", data=b"pwned\n"))
    c.add("escape-dotdot-dir", "classic", {b"rootfs.tar": gzip_stream(t)}, "rootfs:{IN}/rootfs.tar",
          expect="error")
    # Absolute names are read beneath the root (tar strips the slash).
    for name, path in {"abs-sentinel": c.SENT + "/pwned", "abs-tmpdir": c.TMP + "/pwned",
                       "abs-etc": "/etc/pith-hostile"}.items():
        t = tar(entry(path, data=b"pwned\n"))
        oci_case(c, "escape-" + name, "classic", layer_image(t, base=True), expect="ok",
                 build="ok")


def classic_links(c):
    S = c.SENT
    up = "../" * 12
    variants = {
        "symlink-abs-then-file": [entry("x", "symlink", target=S), entry("x/pwned", data=b"!\n")],
        "symlink-rel-then-file": [entry("x", "symlink", target=up + S.lstrip("/")),
                                  entry("x/pwned", data=b"!\n")],
        "symlink-chain-then-file": [entry("a", "symlink", target="b"),
                                    entry("b", "symlink", target=S),
                                    entry("a/pwned", data=b"!\n")],
        "symlink-to-file-then-write": [entry("x", "symlink", target=S + "/victim"),
                                       entry("x", data=b"overwritten\n")],
        "symlink-tmpdir-then-file": [entry("x", "symlink", target=c.TMP),
                                     entry("x/pwned", data=b"!\n")],
        "symlink-cwd-then-file": [entry("x", "symlink", target="/proc/self/cwd"),
                                  entry("x/pwned", data=b"!\n")],
        "hardlink-abs": [entry("h", "hardlink", target=S + "/victim")],
        "symlink-then-hardlink-through": [entry("x", "symlink", target=S),
                                          entry("h", "hardlink", target="x/victim"),
                                          entry("h", data=b"overwritten\n")],
        "hardlink-to-symlink-out": [entry("x", "symlink", target=S + "/victim"),
                                    entry("h", "hardlink", target="x")],
    }
    # Links are entries like any other (listed: ok). Unpacked, a parent symlink is followed
    # inside the root, a later entry replaces an earlier one; a hard link to a file missing
    # from the root is an error.
    missing = ("hardlink-abs", "symlink-then-hardlink-through")
    for name, members in variants.items():
        oci_case(c, "links-" + name, "classic", layer_image(tar(*members), base=True),
                 expect="ok", build="error" if name in missing else "ok")
    # A hard link climbing out is refused by the tar reader.
    t = tar(entry("h", "hardlink", target=up + S.lstrip("/") + "/victim"))
    c.forms("links-hardlink-dotdot", "classic", layer_image(t), forms=("oci", "docker"),
            expect={"*": "error", "copy": "either"})
    # Across layers: the link in one layer, the write through it in the next.
    img = layer_image(tar(entry("x", "symlink", target=S)), tar(entry("x/pwned", data=b"!\n")),
                      base=True)
    oci_case(c, "links-symlink-layer-then-file", "classic", img, expect="ok", build="ok")


def classic_whiteouts_through_symlinks(c):
    S, up = c.SENT, "../" * 12
    variants = {
        "abs-file": ([entry("s", "symlink", target=S)], [entry("s/.wh.victim")]),
        "abs-opaque": ([entry("s", "symlink", target=S)], [entry("s/.wh..wh..opq")]),
        "rel-file": ([entry("s", "symlink", target=up + S.lstrip("/"))], [entry("s/.wh.victim")]),
        "parent-dir": ([entry("s", "symlink", target=os.path.dirname(S))],
                       [entry("s/.wh." + os.path.basename(S))]),
        "tmpdir": ([entry("s", "symlink", target=c.TMP)], [entry("s/.wh.SENTINEL")]),
        "tmpdir-opaque": ([entry("s", "symlink", target=c.TMP)], [entry("s/.wh..wh..opq")]),
    }
    for name, (lower, upper) in variants.items():
        # The symlink resolves inside the root, where there is nothing to delete.
        img = layer_image(tar(*lower), tar(*upper), base=True)
        oci_case(c, "wh-symlink-" + name, "classic", img, expect="ok", build="ok")


def garbage(n, seed=b"hostile"):
    out, i = b"", 0
    while len(out) < n:
        out += hashlib.sha256(seed + str(i).encode()).digest()
        i += 1
    return out[:n]


def classic_broken_tar(c):
    f = entry("ok", data=b"fine\n").small()
    hdr = lambda **kw: header(b"f", **kw)
    body = b"x" * 10 + bytes(pad(10))
    cases = {
        # name: (layer bytes, expectation of the reading verbs)
        "bad-checksum-first": (hdr(size=10, chksum=b"0000000\0") + body, "error"),
        "bad-checksum-second": (f + hdr(size=10, chksum=b"1234567\0") + body, "error"),
        "truncated-header": ((f + hdr(size=10))[:512 + 300], "error"),
        "truncated-data": (hdr(size=4096) + b"x" * 100, "error"),
        "no-end-blocks": (f, "ok"),
        "garbage": (garbage(4096), "error"),
        "garbage-after-header": (f + garbage(2048), "error"),
        "zeros-then-garbage": (bytes(1024) + garbage(1024), "either"),
        "size-octal-max": (hdr(size=0o77777777777) + body, "error"),
        "size-octal-overflow": (hdr(fields={124: b"777777777777"}) + body, "error"),
        "size-not-octal": (hdr(fields={124: b"99999999999\0"}) + body, "error"),
        "size-base256-huge": (hdr(fields={124: b"\x80" + b"\x00" * 3 + b"\x40" + b"\x00" * 7})
                              + body, "error"),
        "size-base256-negative": (hdr(fields={124: b"\xff" * 12}) + body, "error"),
        "mtime-base256-negative": (hdr(size=10, fields={136: b"\xff" * 12}) + body, "either"),
        "uid-base256-huge": (hdr(size=10, fields={108: b"\x80" + b"\x7f" * 7}) + body, "either"),
        "pax-length-too-long": (pax_block(raw=b"9999 path=x\n") + hdr(size=10) + body, "either"),
        "pax-length-zero": (pax_block(raw=b"0 path=x\n") + hdr(size=10) + body, "either"),
        "pax-length-negative": (pax_block(raw=b"-5 path=x\n") + hdr(size=10) + body, "either"),
        "pax-length-not-digits": (pax_block(raw=b"1x path=x\n") + hdr(size=10) + body, "either"),
        "pax-no-equals": (pax_block(raw=b"11 pathxyz\n") + hdr(size=10) + body, "either"),
        "pax-no-newline": (pax_block(raw=b"11 path=xyz") + hdr(size=10) + body, "either"),
        "pax-size-huge": (pax_block([(b"size", b"99999999999999999999")]) + hdr(size=10) + body,
                          "error"),
        "pax-size-negative": (pax_block([(b"size", b"-1")]) + hdr(size=10) + body, "error"),
        "pax-path-empty": (pax_block([(b"path", b"")]) + hdr(size=10) + body, "either"),
        "gnu-longname-huge": (header(b"././@LongLink", typ=b"L", size=GIB, gnu=True)
                              + b"n" * 512, "error"),
        "gnu-longname-chain": (b"".join(header(b"././@LongLink", typ=b"L", size=100, gnu=True)
                                        + b"n" * 100 + bytes(412) for _ in range(2000))
                               + hdr(size=10) + body, "either"),
        "global-pax-huge-count": (b"".join(pax_block([(b"comment", b"c" * 100)], typ=b"g")
                                           for _ in range(5000)) + hdr(size=10) + body, "either"),
    }
    for name, (data, want) in cases.items():
        t = Stream([data]).add(1024 if name not in ("truncated-header", "truncated-data",
                                                    "no-end-blocks") else 0)
        oci_case(c, "tar-" + name, "classic", layer_image(t),
                 expect={"*": want, "copy": "ok" if want == "ok" else "either"})
    # Broken headers where nothing but the tar is read: a rootfs tarball.
    for name in ("bad-checksum-first", "garbage", "size-base256-negative", "pax-length-too-long"):
        data = cases[name][0] + bytes(1024)
        c.add("tar-" + name + "-dir", "classic", {b"rootfs.tar": data}, "rootfs:{IN}/rootfs.tar",
              expect=cases[name][1])


def classic_lies(c):
    good = files(("f", "file", b"payload\n" * 100))
    L = Layer(good)

    def lie(name, expect="error", **kw):
        oci_case(c, "lie-" + name, "classic", Image([L], **kw), expect=expect)

    lie("layer-size-larger", mutate_manifest=lambda m: m["layers"][0].update(
        size=m["layers"][0]["size"] + 100))
    lie("layer-size-smaller", mutate_manifest=lambda m: m["layers"][0].update(
        size=m["layers"][0]["size"] - 100))
    lie("layer-size-huge", mutate_manifest=lambda m: m["layers"][0].update(size=1 << 62))
    lie("layer-size-negative", mutate_manifest=lambda m: m["layers"][0].update(size=-1))
    # Layers copied as they are are checked against their digests, not their diff_ids (as
    # skopeo copies them).
    lie("diff-id-mismatch", expect={"*": "error", "copy": "either"},
        mutate_config=lambda cfg: cfg["rootfs"].update(diff_ids=["sha256:" + "0" * 64]))
    lie("diff-ids-missing", mutate_config=lambda cfg: cfg["rootfs"].update(diff_ids=[]))
    lie("config-size-lie", mutate_manifest=lambda m: m["config"].update(
        size=m["config"]["size"] + 1))
    lie("digest-traversal", mutate_manifest=lambda m: m["layers"][0].update(
        digest="sha256:../../../oci-layout"))
    lie("digest-uppercase", mutate_manifest=lambda m: m["layers"][0].update(
        digest=m["layers"][0]["digest"].upper().replace("SHA256", "sha256")))
    lie("digest-unknown-algo", mutate_manifest=lambda m: m["layers"][0].update(
        digest="md5:d41d8cd98f00b204e9800998ecf8427e"))
    # Blob bytes that are not what their name says.
    img = Image([L])
    tree = {b"img/" + k: v for k, v in oci_tree(img).items()}
    tree[b"img/" + blob_path(digest(L.blob))] = gzip_stream(files(("f", "file", b"other\n")))
    c.add("lie-layer-bytes", "classic", tree, "oci:{IN}/img:t", expect="error")
    tree = {b"img/" + k: v for k, v in oci_tree(img).items()}
    tree[b"img/" + blob_path(digest(img.config))] = img.config.replace(b"amd64", b"arm64")
    c.add("lie-config-bytes", "classic", tree, "oci:{IN}/img:t", expect="error")
    # index.json's descriptor of the manifest.
    for name, mut in {"manifest-digest": lambda d: d.update(digest="sha256:" + "1" * 64),
                      "manifest-size": lambda d: d.update(size=d["size"] + 7)}.items():
        d = img.desc(annotations={"org.opencontainers.image.ref.name": "t"})
        mut(d)
        index = jdump({"schemaVersion": 2, "mediaType": MT["index"], "manifests": [d]})
        c.add("lie-index-" + name, "classic",
              {b"img/" + k: v for k, v in oci_tree(img, index=index).items()},
              "oci:{IN}/img:t", expect="error")
    # docker-archive: a layer.tar whose bytes do not hash to the config's diff_id.
    tree = docker_tree(img)
    for k in list(tree):
        if k.endswith(b"layer.tar"):
            tree[k] = files(("f", "file", b"other\n"))
    c.add("lie-docker-layer", "classic", {b"img.tar": tar_of_tree(tree)},
          "docker-archive:{IN}/img.tar", expect="error")


def classic_json_nesting(c):
    deep = b"[" * 100000
    img = layer_image(files(("f", "file", b"x\n")))
    L = img.layers[0]
    closed = lambda s: b'{"schemaVersion":2,"annotations":{"x":' + s + b'}}'
    nested = {
        "index": ("index", deep),
        "index-objects": ("index", b'{"a":' * 100000),
        "index-closed": ("index", closed(b"[" * 100000 + b"]" * 100000)),
        "manifest": ("manifest", deep),
        "manifest-closed": ("manifest", closed(b"[" * 100000 + b"]" * 100000)),
        "config": ("config", deep),
        "config-closed": ("config", b'{"config":{"Labels":{"x":' + b"[" * 100000
                          + b"]" * 100000 + b'}}}'),
    }
    for name, (where, data) in nested.items():
        if where == "index":
            tree = oci_tree(img, index=data)
        elif where == "manifest":
            tree = oci_tree(img, index=jdump({"schemaVersion": 2, "mediaType": MT["index"],
                                              "manifests": [{"mediaType": MT["manifest"],
                                                             "digest": digest(data),
                                                             "size": len(data)}]}),
                            extra_blobs={digest(data): data})
        else:
            tree = oci_tree(Image([L], config_bytes=data))
        c.add("json-nesting-" + name, "classic", {b"img/" + k: v for k, v in tree.items()},
              "oci:{IN}/img", expect="error")
    c.add("json-nesting-docker-manifest", "classic",
          {b"img.tar": tar_of_tree(docker_tree(img, manifest_json=deep))},
          "docker-archive:{IN}/img.tar", expect="error")


def zero_file_tar(size, name=b"zeros"):
    return tar(entry(name, data=Stream([size])))


def classic_bombs(c):
    # Legitimate layers that decompress to GBs of zeros: listing must stream them.
    oci_case(c, "bomb-gzip-1g", "classic", layer_image(zero_file_tar(GIB)), expect="ok", big=True)
    oci_case(c, "bomb-zstd-2g", "classic", layer_image(zero_file_tar(2 * GIB), comp="zstd"),
             expect="ok", big=True)
    # A zstd frame asking for a 2 GiB window: refused, or decoded within the memory limit.
    t = zero_file_tar(2 * GIB)
    L = Layer(t, "zstd")
    L.blob = zstd_stream(t, window_log=31)
    oci_case(c, "bomb-zstd-window-2g", "classic", Image([L]), expect="either", big=True)
    # 20,000 empty gzip members before the real one.
    L = Layer(files(("f", "file", b"x\n")))
    L.blob = Stream([gzip_stream(b"") for _ in range(20000)] + [L.blob])
    oci_case(c, "bomb-gzip-members", "classic", Image([L]), expect="either")
    # A dpkg file list naming 100 million paths (300 MB of "/a" lines, 340 KB gzipped): parsed,
    # each path cost a view and a string (inspect took 39 s and 3.2 GB). A list over 16 MiB is
    # not read; smaller ones count their lines against k_max_entries first (unit test
    # MergePackages.FileListsNamingTooManyPathsAreSkipped).
    status = b"Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n"
    t = tar(entry("var/lib/dpkg/status", data=status),
            entry("var/lib/dpkg/info/a.list", data=Stream([b"/a\n" * MIB] * 100)))
    oci_case(c, "bomb-dpkg-file-list", "classic", layer_image(t), expect="ok", big=True)
    # Uncompressed bytes that are no tar, 1 GiB of them after a valid header block.
    oci_case(c, "bomb-gzip-zeros-no-tar", "classic", layer_image(Stream([256 * MIB])),
             expect="either")


def classic_kill(c):
    # SIGKILL in the middle of a re-encoding copy: the destination must not exist (no half
    # image); only hidden .pith-tmp-* files may remain beside it. A run that ends before the
    # kill is checked as any other.
    img = layer_image(zero_file_tar(GIB))
    for form, dest in (("oci-archive", "oci-archive:%s/img.tar"),
                       ("docker", "docker-archive:%s/img.tar"), ("oci", "oci:%s/img:t")):
        dpath = dest.split(":")[1] % c.OUT
        argv = ["copy", "--compress", "zstd", "oci:{IN}/img:t", dest % c.OUT]
        # A docker-archive needs each layer's size before its bytes: the re-encoded layer is
        # spooled to TMPDIR first, which a GiB fills (a clean error, no half image either).
        chk = "enospc-ok" if form == "docker" else ""
        c.add("kill9-copy-" + form, "classic",
              {b"img/" + k: v for k, v in oci_tree(img).items()}, "oci:{IN}/img:t", verbs=(),
              extra_runs=[("copy-killed", argv, "killed", chk, dpath)], kill_after="0.4")


# --- class 1: whiteouts named .wh... (target ..), .wh.. (target .), .wh. (empty target).

def whiteout_names(c):
    lower = files(("a/", "dir"), ("a/b/", "dir"), ("a/b/c/", "dir"), ("a/b/c/f", "file", b"f\n"),
                  ("a/x", "file", b"x\n"), ("top", "file", b"top\n"))
    names = {"dotdot": b".wh...", "dot": b".wh..", "empty": b".wh."}
    places = {"root": b"", "sub": b"a/", "deep": b"a/b/c/"}
    # Refused wherever entries are read (docs/limits.md); copy passes layers unread.
    refused = {"*": "error", "copy": "either"}
    for nn, wh in names.items():
        for pn, place in places.items():
            img = layer_image(lower, tar(entry(place + wh)), base=True)
            oci_case(c, "whiteout-%s-%s" % (nn, pn), "whiteout", img, expect=refused)
    # The whiteout alone, in the bottom layer; in docker-archives; in a rootfs tarball.
    for nn, wh in names.items():
        oci_case(c, "whiteout-%s-only-layer" % nn, "whiteout", layer_image(tar(entry(wh))),
                 expect=refused)
    for pn in ("root", "sub"):
        img = layer_image(lower, tar(entry(places[pn] + names["dotdot"])), base=True)
        tree, ref = c.form(img, "docker")
        c.add("whiteout-dotdot-%s-docker" % pn, "whiteout", tree, ref, expect=refused)
    t = tar(entry("f", data=b"f\n"), entry(".wh..."))
    c.add("whiteout-dotdot-dir-transport", "whiteout", {b"rootfs.tar": gzip_stream(t)},
          "rootfs:{IN}/rootfs.tar", expect=refused)
    # Odd spellings that normalise to the same names, and other entry types.
    odd = {"dot-slash": entry("./.wh..."), "via-dotdot": entry("a/../.wh..."),
           "as-dir": entry(".wh.../", "dir"),
           "as-symlink": entry(".wh...", "symlink", target=c.SENT)}
    for name, member in odd.items():
        img = layer_image(lower, tar(member), base=True)
        oci_case(c, "whiteout-%s" % name, "whiteout", img, expect=refused)
    # a/../.wh..wh..opq is the root's opaque marker: the lower layers (and /bin/true) go.
    img = layer_image(lower, tar(entry("a/../.wh..wh..opq")), base=True)
    oci_case(c, "whiteout-opaque-via-dotdot", "whiteout", img, expect="ok", build="error")


# --- class 2: destinations that are not regular files.

def destinations(c):
    img = layer_image(files(("etc/", "dir"), ("etc/hostname", "file", b"x\n")), base=True)
    tree = {b"img/" + k: v for k, v in oci_tree(img).items()}
    O = c.OUT
    dests = {
        # name: (destination reference, path to compare before/after, what sits in BOX/out)
        "dev-full": ("docker-archive:/dev/full:a/b:1", "/dev/full", {}),
        "char-device": ("docker-archive:%s/full:a/b:1" % O, O + "/full",
                        {b"full": Device(1, 7)}),
        "char-device-oci": ("oci:%s/full:t" % O, O + "/full", {b"full": Device(1, 7)}),
        "fifo-oci-archive": ("oci-archive:%s/fifo" % O, O + "/fifo", {b"fifo": Fifo()}),
        "fifo-docker-archive": ("docker-archive:%s/fifo:a/b:1" % O, O + "/fifo",
                                {b"fifo": Fifo()}),
        "symlink-stdout": ("oci-archive:%s/l" % O, O + "/l",
                           {b"l": Symlink("/proc/self/fd/1")}),
        "proc-stdout": ("docker-archive:/proc/self/fd/1:a/b:1", "-", {}),
        # A symlink to a regular file: written through (the link stays) or refused.
        "symlink-to-file": ("docker-archive:%s/l:a/b:1" % O, O + "/l",
                            {b"l": Symlink("target.tar"), b"target.tar": b"old\n"}),
        "oci-on-file": ("oci:%s/file:t" % O, O + "/file", {b"file": b"keep\n"}),
        "oci-on-symlink-dir": ("oci:%s/l:t" % O, O + "/l", {b"l": Symlink(c.SENT)}),
        "oci-on-symlink-missing": ("oci:%s/l:t" % O, O + "/l",
                                   {b"l": Symlink(c.SENT + "/new")}),
        "oci-archive-on-dir": ("oci-archive:%s/d" % O, O + "/d", {b"d/keep": b"keep\n"}),
        "oci-archive-on-symlink-dir": ("oci-archive:%s/l" % O, O + "/l", {b"l": Symlink(c.SENT)}),
    }
    for name, (dest, path, out) in dests.items():
        want = "either" if name == "symlink-to-file" else "error"
        runs = []
        for verb, argv in (("copy", ["copy", "oci:{IN}/img:t", dest]),
                           ("build", ["build", "-q", "--no-ca-certs", "--from", "oci:{IN}/img:t",
                                      "--entrypoint", "/bin/true", "-o", dest])):
            runs.append((verb, argv, want, "empty" if "stdout" in name else "", path))
        c.add("dest-" + name, "destination", tree, "oci:{IN}/img:t", verbs=(), out=out,
              extra_runs=runs)


# --- class 3: deep paths.

def deep_paths(c):
    d40, d20 = b"a/" * 40000, b"a/" * 20000
    long_path = b"/".join([b"p" * 99] * 42) + b"/f"  # 4,200 bytes
    deep = {
        "40000": tar(entry(d40 + b"f", data=b"f\n")),
        "20000": tar(entry(d20 + b"f", data=b"f\n")),
        "40000-dirent": tar(entry(d40, "dir")),
        "path-4200": tar(entry(long_path, data=b"f\n")),
        "name-300": tar(entry(b"d/" + b"n" * 300, data=b"f\n")),
        "name-300-dir": tar(entry(b"n" * 300 + b"/", "dir"), entry(b"n" * 300 + b"/f")),
        "symlink-target-80k": tar(entry(b"l", "symlink", target=d40 + b"f")),
        "hardlink-target-40k": tar(entry(d20 + b"f", data=b"f\n"),
                                   entry(b"h", "hardlink", target=d20 + b"f")),
        "1000-with-dirs": tar(*[entry(b"d/" * i, "dir") for i in range(1, 1001)],
                              entry(b"d/" * 1000 + b"f", data=b"f\n")),
        "two-40000": tar(entry(d40 + b"f", data=b"f\n"), entry(d40[:-2] + b"b/" + b"f")),
    }
    # Over PATH_MAX (4095) or NAME_MAX (255): an error wherever entries are read
    # (docs/limits.md); copy passes layers unread, except a dir: root, which it reads.
    too_deep = {"*": "error", "copy": "either"}
    for name, t in deep.items():
        oci_case(c, "deep-" + name, "deep-path", layer_image(t),
                 expect="ok" if name == "1000-with-dirs" else too_deep)
    c.forms("deep-40000", "deep-path", layer_image(deep["40000"]),
            forms=("docker", "dir", "oci-archive"), expect=too_deep)
    # Deleting a deep tree through a whiteout, and an opaque marker at the bottom of one.
    oci_case(c, "deep-40000-whiteout", "deep-path",
             layer_image(deep["40000"], tar(entry(b".wh.a"))), expect=too_deep)
    oci_case(c, "deep-40000-opaque", "deep-path",
             layer_image(deep["40000"], tar(entry(d40 + b".wh..wh..opq"))), expect=too_deep)


# --- class 4: disk blow-ups.

def sparse_old_gnu(name, realsize, chunks):
    """Old GNU sparse ('S'): the map in the header (4 slots) and in extension blocks."""
    data = b"".join(b"D" * n for _, n in chunks)
    slots = chunks[:4]
    fields = {483: octal(realsize, 12)}
    for i, (off, n) in enumerate(slots):
        fields[386 + 24 * i] = octal(off, 12)
        fields[386 + 24 * i + 12] = octal(n, 12)
    rest = chunks[4:]
    fields[482] = b"\x01" if rest else b"\x00"
    out = header(name, typ=b"S", size=len(data), gnu=True, fields=fields)
    while rest:
        ext = bytearray(512)
        for i, (off, n) in enumerate(rest[:21]):
            ext[24 * i:24 * i + 12] = octal(off, 12)
            ext[24 * i + 12:24 * i + 24] = octal(n, 12)
        rest = rest[21:]
        ext[504] = 1 if rest else 0
        out += bytes(ext)
    return out + data + bytes(pad(len(data)))


def sparse_pax_1_0(name, realsize, chunks):
    mp = (b"%d\n" % len(chunks)) + b"".join(b"%d\n%d\n" % c for c in chunks)
    mp += bytes(pad(len(mp)))
    data = mp + b"".join(b"D" * n for _, n in chunks)
    return (pax_block([(b"GNU.sparse.major", b"1"), (b"GNU.sparse.minor", b"0"),
                       (b"GNU.sparse.name", name), (b"GNU.sparse.realsize", b"%d" % realsize)])
            + header(b"GNUSparseFile.0/" + name, size=len(data)) + data
            + bytes(pad(len(data))))


def sparse_pax_0_1(name, realsize, chunks):
    data = b"".join(b"D" * n for _, n in chunks)
    mp = b",".join(b"%d,%d" % c for c in chunks)
    return (pax_block([(b"GNU.sparse.size", b"%d" % realsize),
                       (b"GNU.sparse.numblocks", b"%d" % len(chunks)),
                       (b"GNU.sparse.map", mp), (b"path", name)])
            + header(b"GNUSparseFile.0/" + name, size=len(data)) + data
            + bytes(pad(len(data))))


def disk_blowups(c):
    G3 = 3 * GIB
    tail = [(G3 - 512, 512)]
    sparse = {
        "old-gnu-3g": sparse_old_gnu(b"big", G3, tail),
        "old-gnu-ext-3g": sparse_old_gnu(b"big", G3, [(i * 100 * MIB, 512) for i in range(30)]),
        "pax-1.0-3g": sparse_pax_1_0(b"big", G3, tail),
        "pax-0.1-3g": sparse_pax_0_1(b"big", G3, tail),
        "old-gnu-50x3g": b"".join(sparse_old_gnu(b"big%d" % i, G3, tail) for i in range(50)),
        "old-gnu-exabyte": sparse_old_gnu(b"big", 1 << 60, [((1 << 60) - 512, 512)]),
    }
    # Listed with their claimed size; unpacked sparse, so a hole costs no disk (an exabyte
    # may be more than the filesystem takes).
    for name, data in sparse.items():
        img = layer_image(Stream([data, 1024]), base=True)
        oci_case(c, "sparse-" + name, "disk", img, expect="ok",
                 build="either" if "exabyte" in name else "ok")
    img = layer_image(Stream([sparse["old-gnu-3g"], 1024]), comp="none", base=True)
    tree, ref = c.form(img, "docker")
    c.add("sparse-old-gnu-3g-docker", "disk", tree, ref, expect="ok", build="ok")
    c.add("sparse-old-gnu-3g-dir", "disk", {b"rootfs.tar": Stream([sparse["old-gnu-3g"], 1024])},
          "rootfs:{IN}/rootfs.tar", expect="ok")
    # A root directory holding a 3 GiB file that is all hole (as /var/log/lastlog is), read as
    # a one-layer image: its tar goes to TMPDIR (docs/limits.md), so filling it is allowed;
    # crashing, hanging or touching anything else is not.
    c.add("sparse-file-in-dir-root", "disk",
          {b"root/big": Sparse(G3), b"root/etc/hostname": b"x\n"}, "rootfs:{IN}/root",
          checks={v: "enospc-ok" for v in ALL_VERBS})

    # Compressed layers and archives that decompress to GBs: 2 GiB of zeros in a zstd layer;
    # whole archives holding an uncompressed 1 GiB layer (16 times any tmpfs here).
    big = zero_file_tar(2 * GIB)
    zimg = Image([Layer(big, "zstd")])
    legacy = docker_tree(zimg)
    c.add("zstd-layer-in-docker-archive", "disk", {b"img.tar": tar_of_tree(legacy)},
          "docker-archive:{IN}/img.tar", expect="ok", big=True)
    plain = Image([Layer(zero_file_tar(GIB), "none")])
    whole = {
        "docker-archive-zst": (zstd_stream(tar_of_tree(docker_tree(plain))), "docker-archive:"),
        "docker-hybrid-zst": (zstd_stream(tar_of_tree(docker_tree(plain, hybrid=True))),
                              "docker-archive:"),
        "oci-archive-zst": (zstd_stream(tar_of_tree(oci_tree(plain))), "oci-archive:"),
        "bare-zst": (zstd_stream(tar_of_tree(docker_tree(plain))), ""),
    }
    for name, (data, transport) in whole.items():
        c.add("whole-" + name, "disk", {b"img.tar": data}, transport + "{IN}/img.tar",
              expect="ok", big=True)
    c.add("whole-docker-archive-gz", "disk",
          {b"img.tar": gzip_stream(tar_of_tree(docker_tree(plain)))},
          "docker-archive:{IN}/img.tar", expect="ok", big=True)
    c.add("whole-rootfs-zst", "disk", {b"rootfs.tar": zstd_stream(big)}, "rootfs:{IN}/rootfs.tar",
          expect="ok", big=True)


# --- class 5: hangs.

def hangs(c):
    conf = {
        "self-1": b"include /etc/ld.so.conf\n",
        "self-2": b"include /etc/ld.so.conf\n" * 2,
        "self-4": b"include /etc/ld.so.conf\n" * 4,
        "self-50": b"include /etc/ld.so.conf\n" * 50,
        "self-relative": b"include ld.so.conf\ninclude ./ld.so.conf\n",
        "self-glob": b"include /etc/*.conf\ninclude /etc/ld.so.con?\n",
    }
    for name, text in conf.items():
        img = layer_image(tar(entry("etc/ld.so.conf", data=text)), base=True)
        oci_case(c, "ldconf-" + name, "hang", img, expect="ok", build="ok")
    more = {
        "mutual": [entry("etc/ld.so.conf", data=b"include /etc/ld.so.conf.d/*.conf\n"),
                   entry("etc/ld.so.conf.d/", "dir"),
                   entry("etc/ld.so.conf.d/a.conf", data=b"include /etc/ld.so.conf\n" * 3),
                   entry("etc/ld.so.conf.d/b.conf", data=b"include /etc/ld.so.conf.d/*\n" * 3)],
        "chain-300": [entry("etc/ld.so.conf", data=b"include /etc/c/0\n"), entry("etc/c/", "dir")]
        + [entry("etc/c/%d" % i, data=b"include /etc/c/%d\n" % (i + 1)) for i in range(300)],
        "symlink-loop": [entry("etc/ld.so.conf", data=b"include /etc/loop\n"),
                         entry("etc/loop", "symlink", target="loop")],
        "devzero": [entry("etc/ld.so.conf", "symlink", target="/dev/zero")],
        "include-devzero": [entry("etc/ld.so.conf", data=b"include /dev/zero\n")],
        "include-proc": [entry("etc/ld.so.conf", data=b"include /proc/self/fd/*\n")],
    }
    # Each file is read once, inside the root; what cannot be read is skipped, as ldconfig does.
    for name, members in more.items():
        img = layer_image(tar(*members), base=True)
        oci_case(c, "ldconf-" + name, "hang", img, expect="ok", build="ok")

    # Index fan-out: index.json -> A x300 -> B x300 -> C x300 -> one manifest: 300^3 visits
    # unless something stops them.
    leaf_img = layer_image(files(("f", "file", b"x\n")))
    s390x_img = layer_image(files(("f", "file", b"x\n")), arch="s390x")
    for name, plat in (("nomatch", {"os": "linux", "architecture": "s390x"}),
                       ("noplatform", None)):
        # Without a platform in the index, each leaf's config says s390x.
        leaf = leaf_img.desc(platform=plat) if plat else s390x_img.desc()
        blobs = dict(leaf_img.blobs if plat else s390x_img.blobs)
        child = leaf
        for _ in range(3):
            idx = jdump({"schemaVersion": 2, "mediaType": MT["index"], "manifests": [child] * 300})
            blobs[digest(idx)] = idx
            child = {"mediaType": MT["index"], "digest": digest(idx), "size": len(idx)}
        index = jdump({"schemaVersion": 2, "mediaType": MT["index"],
                       "manifests": [dict(child, annotations={
                           "org.opencontainers.image.ref.name": "t"})]})
        tree = oci_tree(None, index=index, extra_blobs=blobs)
        c.add("fanout-300-" + name, "hang", {b"img/" + k: v for k, v in tree.items()},
              "oci:{IN}/img:t", expect="error")
        if name == "nomatch":
            c.add("fanout-300-nomatch-archive", "hang", {b"img.tar": tar_of_tree(tree)},
                  "oci-archive:{IN}/img.tar:t", expect="error")
    # The same fan-out where only the very last leaf matches the host: 299 x 300 x 300 misses
    # before it.
    blobs = dict(leaf_img.blobs)

    def index_of(descs):
        data = jdump({"schemaVersion": 2, "mediaType": MT["index"], "manifests": descs})
        blobs[digest(data)] = data
        return {"mediaType": MT["index"], "digest": digest(data), "size": len(data)}

    bad = leaf_img.desc(platform={"os": "linux", "architecture": "s390x"})
    good = leaf_img.desc(platform={"os": "linux", "architecture": "amd64"})
    b_bad = index_of([index_of([bad] * 300)] * 300)
    b_good = index_of([index_of([bad] * 299 + [good])])
    top = index_of([b_bad] * 299 + [b_good])
    index = jdump({"schemaVersion": 2, "mediaType": MT["index"], "manifests": [
        dict(top, annotations={"org.opencontainers.image.ref.name": "t"})]})
    tree = oci_tree(None, index=index, extra_blobs=blobs)
    c.add("fanout-300-match-late", "hang", {b"img/" + k: v for k, v in tree.items()},
          "oci:{IN}/img:t", expect="ok")

    # Blobs that are FIFOs (open() blocks until a writer comes), and other non-files.
    img = layer_image(files(("f", "file", b"x\n")))
    base_tree = {b"img/" + k: v for k, v in oci_tree(img).items()}
    targets = {"layer": b"img/" + blob_path(digest(img.layers[0].blob)),
               "config": b"img/" + blob_path(digest(img.config)),
               "manifest": b"img/" + blob_path(digest(img.manifest)),
               "index-json": b"img/index.json", "oci-layout": b"img/oci-layout"}
    for name, path in targets.items():
        tree = dict(base_tree)
        tree[path] = Fifo()
        c.add("fifo-" + name, "hang", tree, "oci:{IN}/img:t", expect="error")
    tree = dict(base_tree)
    tree[targets["layer"]] = Symlink("../../fifo")
    tree[b"img/fifo"] = Fifo()
    c.add("fifo-layer-via-symlink", "hang", tree, "oci:{IN}/img:t", expect="error")
    tree = dict(base_tree)
    tree[targets["layer"]] = Device(1, 5)  # a /dev/zero node inside the layout
    c.add("devzero-layer", "hang", tree, "oci:{IN}/img:t", expect="error")
    for name, ref in (("oci-archive", "oci-archive:{IN}/img.tar"),
                      ("docker-archive", "docker-archive:{IN}/img.tar"),
                      ("bare", "{IN}/img.tar"), ("rootfs", "rootfs:{IN}/img.tar")):
        c.add("fifo-archive-" + name, "hang", {b"img.tar": Fifo()}, ref, expect="error")
    c.add("fifo-in-dir-root", "hang", {b"root/fifo": Fifo(), b"root/f": b"x\n"}, "rootfs:{IN}/root",
          expect="ok")

    # A tree made through 25 symlinks, each to 1,000 levels below the previous one.
    members = [entry("s0/", "dir")]
    for i in range(1, 26):
        members.append(entry("s%d" % i, "symlink", target="s%d/" % (i - 1) + "d/" * 999 + "d"))
    members.append(entry("s25/f", data=b"f\n"))
    # Followed, that path is 25,000 levels deep: over PATH_MAX for the squash and the unpack.
    oci_case(c, "symlink-chain-25x1000", "hang", layer_image(tar(*members), base=True),
             expect={"*": "error", "copy": "either"}, build="error")
    members = [entry("s0/", "dir")] + [entry("s%d" % i, "symlink", target="s%d" % (i - 1))
                                       for i in range(1, 45)] + [entry("s44/f", data=b"f\n")]
    oci_case(c, "symlink-chain-44", "hang", layer_image(tar(*members), base=True),
             expect={"*": "error", "copy": "either"}, build="error")


# --- class 6: fd exhaustion while removing the unpacked root.

def fd_exhaustion(c):
    for depth, nofile, dirs in ((100, 64, False), (500, 64, False), (1000, 64, False),
                                (2000, 64, False), (1000, 64, True), (500, 32, False)):
        members = [entry(b"d/" * i, "dir") for i in range(1, depth + 1)] if dirs else []
        members.append(entry(b"d/" * depth + b"f", data=b"f\n"))
        name = "fd-deep-%d-nofile%d%s" % (depth, nofile, "-dirs" if dirs else "")
        oci_case(c, name, "fd", layer_image(tar(*members), base=True), nofile=nofile,
                 expect="ok", build="ok")


# --- class 7: output and terminal injection.

# A name that, printed raw, forges a setuid line of `pith ls` output.
FORGED = b"x\n-rwsr-xr-x 0/0    1075464 2023-11-14 22:13 /bin/su"
INJECT = {
    "newline": FORGED,
    "osc-title": b"\x1b]0;pwned\x07t",
    "clear": b"\x1b[2J\x1b[Hc",
    "cr": b"safe\rDANGER",
    "bel-del": b"b\x07\x7fd",
    "nonutf8": b"caf\xe9\xff\xfe",
}


def with_parents(paths):
    out = set()
    for p in paths:
        parts = p.strip(b"/").split(b"/")
        for i in range(1, len(parts) + 1):
            out.add(b"/".join(parts[:i]))
    return out


def injection(c):
    for name, bad in INJECT.items():
        paths = [b"d/", b"d/" + bad, bad + b"/", bad + b"/f", b"l", b"h"]
        t = tar(entry(paths[0], "dir"), entry(paths[1], data=b"x\n"), entry(paths[2], "dir"),
                entry(paths[3], data=b"f\n"), entry(paths[4], "symlink", target=b"/" + bad),
                entry(paths[5], "hardlink", target=paths[1]))
        # pith ls prints every path and its parents once: one line each.
        n = len(with_parents(paths))
        checks = {"ls": "lines=%d,noctl" % n, "inspect": "noctl", "compare": "noctl",
                  "lint": "noctl", "sbom": "json"}
        oci_case(c, "inject-path-" + name, "injection", layer_image(t), expect="ok",
                 checks=checks, extra_runs=[
                     ("ls-json", ["ls", "--json", "oci:{IN}/img:t"], "ok", "jsonlen=%d" % n, "-"),
                     ("inspect-json", ["inspect", "--json", "oci:{IN}/img:t"], "ok", "json",
                      "-")])
    bad = INJECT["newline"] + INJECT["clear"]
    # Manifest and index annotation keys and values, config fields inspect prints.
    img = layer_image(files(("f", "file", b"x\n")),
                      mutate_manifest=lambda m: m.update(annotations={bad.decode(): bad.decode()}),
                      config={"config": {"User": bad.decode(), "Labels": {bad.decode(): "v"},
                                         "Env": [bad.decode()], "Cmd": [bad.decode()]},
                              "history": [{"created_by": bad.decode()}]})
    index = jdump({"schemaVersion": 2, "mediaType": MT["index"], "manifests": [
        img.desc(annotations={"org.opencontainers.image.ref.name": "t", bad.decode(): "v"})]})
    tree = {b"img/" + k: v for k, v in oci_tree(img, index=index).items()}
    text = {"ls": "noctl", "inspect": "noctl", "compare": "noctl", "lint": "noctl", "sbom": "json"}
    c.add("inject-json-fields", "injection", tree, "oci:{IN}/img:t", expect="ok", checks=text,
          extra_runs=[("inspect-json", ["inspect", "--json", "oci:{IN}/img:t"], "ok", "json", "-"),
                      ("compare-json", ["compare", "--json", "oci:{IN}/img:t"], "ok", "json",
                       "-"),
                      ("lint-json", ["lint", "--no-fail", "--json", "oci:{IN}/img:t"], "ok",
                       "json", "-")])
    # Files inspect reads and prints: os-release, passwd, dpkg status.
    t = files(("etc/", "dir"),
              ("etc/os-release", "file", b'PRETTY_NAME="' + bad + b'"\nID=debian\n'),
              ("etc/passwd", "file", b"root:x:0:0:" + bad + b":/root:/bin/sh\n"),
              ("var/", "dir"), ("var/lib/", "dir"), ("var/lib/dpkg/", "dir"),
              ("var/lib/dpkg/status", "file",
               b"Package: evil\x1b[2J\nStatus: install ok installed\nVersion: 1\x1b]0;x\x07\n"
               b"Architecture: amd64\n\n"))
    oci_case(c, "inject-catalog-files", "injection", layer_image(t, config={"config": {
        "User": "root"}}), expect="ok", checks=text,
             extra_runs=[("inspect-json", ["inspect", "--json", "oci:{IN}/img:t"], "ok", "json",
                          "-"),
                         ("lint-json", ["lint", "--no-fail", "--json", "oci:{IN}/img:t"], "ok",
                          "json", "-")])
    # Tags: a ref.name with control bytes, and references holding them (errors quote them).
    img = layer_image(files(("f", "file", b"x\n")))
    index = jdump({"schemaVersion": 2, "mediaType": MT["index"], "manifests": [
        img.desc(annotations={"org.opencontainers.image.ref.name": bad.decode()}),
        img.desc(annotations={"org.opencontainers.image.ref.name": "b\x1b]0;x\x07"})]})
    tree = {b"img/" + k: v for k, v in oci_tree(img, index=index).items()}
    c.add("inject-tag-names", "injection", tree, "oci:{IN}/img", expect="either", checks=text)
    for name, ref in (("newline", b"oci:{IN}/img:a\nb"), ("esc", b"oci:{IN}/img:\x1b[2J"),
                      ("nonutf8", b"oci:{IN}/img:\xff"),
                      ("docker-esc", b"docker-archive:{IN}/d.tar:x\x1b]0;t\x07:1"),
                      ("path-esc", b"oci:{IN}/no\x1b[2Jpe:t")):
        tree = {b"img/" + k: v for k, v in oci_tree(img).items()}
        tree[b"d.tar"] = tar_of_tree(docker_tree(img, repotag="a/b:\x1b[2J"))
        c.add("inject-ref-" + name, "injection", tree, ref, expect="error", build="error",
              checks={"ls": "empty"})
    # An error naming a tar path with control bytes (an escape), and a platform list.
    t = tar(entry(b"\x1b[2J\n" + b"../" * 3 + b"x", data=b"x\n"))
    oci_case(c, "inject-error-path", "injection", layer_image(t),
             expect={"*": "error", "copy": "either"})
    # No tag: the index is searched for the host's platform and the error lists the others.
    s390x = layer_image(files(("f", "file", b"x\n")), arch="s390x")
    arm = layer_image(files(("f", "file", b"x\n")), arch="arm")
    index = jdump({"schemaVersion": 2, "mediaType": MT["index"], "manifests": [
        s390x.desc(platform={"os": "linux\x1b[2J", "architecture": "s390x\nfake"}),
        arm.desc(platform={"os": "linux", "architecture": "arm\x1b]0;x\x07"})]})
    c.add("inject-platform-list", "injection",
          {b"img/" + k: v for k, v in oci_tree(s390x, index=index, extra_blobs=arm.blobs).items()},
          "oci:{IN}/img", expect="error")
    L = Layer(files(("f", "file", b"x\n")))
    L.media_type = "application/vnd.\x1b[2Jevil\n"
    oci_case(c, "inject-media-type", "injection", Image([L]), expect="either")


# --- class 8: the smaller ones.

def smaller(c):
    # Stale .pith-tmp-* left by a SIGKILLed run: in a layout that is read, and beside and inside
    # outputs. Those beside an output that no process holds and nobody touched for a minute
    # are removed (gone=); one just touched (fresh=, another run's) stays; an old FIFO or
    # symlink of that name must neither block nor be followed.
    img = layer_image(files(("f", "file", b"x\n")))
    tree = {b"img/" + k: v for k, v in oci_tree(img).items()}
    tree[b"img/blobs/sha256/.pith-tmp-" + b"a" * 64 + b"-Xy12Ab"] = b"half a blob"
    tree[b"img/.pith-tmp-index.json-Qw34Er"] = b'{"schemaVersion":2,'
    tree[b"img/blobs/sha256/.pith-tmp-fifo-Zz99Zz"] = Fifo()
    c.add("stale-tmp-in-layout", "smaller", tree, "oci:{IN}/img:t", expect="ok")
    out = {b"img/" + k: v for k, v in oci_tree(img, tag="old").items()}
    out[b"img/blobs/sha256/.pith-tmp-" + b"b" * 64 + b"-Ab12Cd"] = b"half"
    out[b"img/blobs/sha256/.pith-tmp-fifo-Zz99Zz"] = Fifo()
    out[b".pith-tmp-img.tar-Ef56Gh"] = b"half an archive"
    out[b".pith-tmp-img.tar-Fresh1"] = b"being written"
    out[b".pith-tmp-fifo-Zz99Zz"] = Fifo()
    out[b".pith-tmp-link-Qq11Qq"] = Symlink(c.SENT)
    fresh = "fresh=%s/.pith-tmp-img.tar-Fresh1" % c.OUT
    c.add("stale-tmp-beside-destination", "smaller", tree, "oci:{IN}/img:t", verbs=(), out=out,
          extra_runs=[("copy", ["copy", "oci:{IN}/img:t", "oci:%s/img:new" % c.OUT], "ok",
                       "stale," + fresh, c.OUT + "/img"),
                      ("copy-archive", ["copy", "oci:{IN}/img:t", "oci-archive:%s/img.tar"
                                        % c.OUT], "ok",
                       "stale,%s,gone=%s/.pith-tmp-img.tar-Ef56Gh" % (fresh, c.OUT),
                       c.OUT + "/img.tar")])
    # 45 parents without directory entries.
    t = tar(entry(b"a/" * 45 + b"f", data=b"f\n"))
    oci_case(c, "parents-45-implied", "smaller", layer_image(t, base=True), expect="ok",
             build="ok")
    # Squashing across a symlinked parent.
    for name, lower in (("rel", [entry("b/", "dir"), entry("a", "symlink", target="b")]),
                        ("abs", [entry("a", "symlink", target=c.SENT)]),
                        ("up", [entry("a", "symlink", target="../../..")])):
        img2 = layer_image(tar(*lower), tar(entry("a/f", data=b"f\n"), entry("a/.wh.victim")),
                           base=True)
        oci_case(c, "symlinked-parent-" + name, "smaller", img2, expect="ok", build="ok")
    # Many layers: a cap, or fast. One small layer blob listed again and again.
    one = Layer(files(("f", "file", b"x\n")))
    many = Image([one] * 100000)
    # Over the cap of 1280 layers (docs/limits.md): refused, quickly.
    c.add("layers-100000-oci-archive", "smaller",
          {b"img.tar": gzip_stream(tar_of_tree(oci_tree(many)))}, "oci-archive:{IN}/img.tar:t",
          expect="error")
    c.add("layers-100000-docker", "smaller",
          {b"img.tar": gzip_stream(tar_of_tree(docker_tree(many)))}, "docker-archive:{IN}/img.tar",
          expect="error")
    many = Image([one] * 10000)
    c.add("layers-10000", "smaller", {b"img/" + k: v for k, v in oci_tree(many).items()},
          "oci:{IN}/img:t", expect="error")
    # --layer out of range, negative, overflowing.
    img = layer_image(files(("f", "file", b"x\n")))
    tree = {b"img/" + k: v for k, v in oci_tree(img).items()}
    # Negative layers count from the top (-1 is this one-layer image's layer); beyond either end,
    # and numbers too large for any count, are errors.
    runs = [("ls-layer=" + n, ["ls", "--layer", n, "oci:{IN}/img:t"], "error", "empty", "-")
            for n in ("-5", "-2", "1", "18446744073709551616", "99999999999999999999")]
    runs.append(("ls-layer=-1", ["ls", "--layer", "-1", "oci:{IN}/img:t"], "ok", "lines=1", "-"))
    c.add("ls-layer-bounds", "smaller", tree, "oci:{IN}/img:t", verbs=(), extra_runs=runs)
    # A reference whose path is not UTF-8: --json output must still be JSON.
    t = tar(entry(b"d/", "dir"), entry(b"d/caf\xe9", data=b"x\n"))
    tree = {b"img\xff/" + k: v for k, v in oci_tree(layer_image(t)).items()}
    ref = b"oci:{IN}/img\xff:t"
    c.add("nonutf8-reference", "smaller", tree, ref, expect="ok", extra_runs=[
        ("compare-json", ["compare", "--json", ref], "ok", "json", "-"),
        ("inspect-json", ["inspect", "--json", ref], "ok", "json", "-"),
        ("ls-json", ["ls", "--json", ref], "ok", "jsonlen=2", "-")])


# ---------------------------------------------------------------------------------------------
# Writing.

_written = {}


def write_stream(path, st):
    """Writes zero runs as holes; a big blob already written is hard-linked, so the many
    cases holding the base layer cost its size once."""
    if len(st) >= 64 * KIB and st.key() in _written:
        os.link(_written[st.key()], path)
        return
    if len(st) >= 64 * KIB:
        _written[st.key()] = path
    with open(path, "wb") as f:
        for s in st.segs:
            if isinstance(s, int):
                f.seek(s, os.SEEK_CUR)
            else:
                f.write(s)
        f.truncate()


def write_tree(root, tree):
    for rel in sorted(tree):
        node = tree[rel]
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(node, Fifo):
            os.mkfifo(path)
        elif isinstance(node, Dir):
            os.makedirs(path, exist_ok=True)
        elif isinstance(node, Symlink):
            os.symlink(node.target, path)
        elif isinstance(node, Device):
            os.mknod(path, 0o644 | 0o020000, os.makedev(node.major, node.minor))
        elif isinstance(node, Sparse):
            with open(path, "wb") as f:
                f.truncate(node.size)
        else:
            write_stream(path, as_stream(node))
    for dirpath, dirnames, filenames in os.walk(root, topdown=False):
        for n in filenames + dirnames:
            os.utime(os.path.join(dirpath, n), (MTIME, MTIME), follow_symlinks=False)


def shown_argv(argv):
    """pith's arguments on one printable line: C escapes for control and non-ASCII bytes."""
    out = []
    for a in argv:
        a = a[:120] + (b"...(%d bytes)" % len(a) if len(a) > 120 else b"")
        out.append("".join(chr(c) if 0x20 < c < 0x7f and c != 0x5c else "\\x%02x" % c
                           for c in a))
    return "pith " + " ".join(out)


def allocated(root):
    total = 0
    for dirpath, _, filenames in os.walk(root):
        for n in filenames:
            total += os.lstat(os.path.join(dirpath, n)).st_blocks * 512
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--box", default="/tmp", help="where the harness mounts its tmpfs")
    args = ap.parse_args()
    c = Cases(args.box)
    for make in (controls, classic_escapes, classic_links, classic_whiteouts_through_symlinks,
                 classic_broken_tar, classic_lies, classic_json_nesting, classic_bombs,
                 classic_kill, whiteout_names, destinations, deep_paths, disk_blowups, hangs,
                 fd_exhaustion, injection, smaller):
        make(c)

    out = os.fsencode(args.outdir)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, b"argv"))
    lines, run_id = [], 0
    for case in c.list:
        cdir = os.path.join(out, b"cases", case["name"].encode())
        write_tree(os.path.join(cdir, b"in"), case["tree"])
        if case["out"] is not None:
            os.makedirs(os.path.join(cdir, b"out"))
            write_tree(os.path.join(cdir, b"out"), case["out"])
        size = allocated(cdir)
        assert size <= MAX_CASE_BYTES, "%s takes %d bytes on disk" % (case["name"], size)
        for verb, argv, want, chk, dest in case["runs"]:
            run_id += 1
            with open(os.path.join(out, b"argv", b"%d" % run_id), "wb") as f:
                f.write(b"".join(a + b"\0" for a in argv))
            lines.append("\t".join([str(run_id), case["name"], case["cls"], verb, want, dest,
                                    str(case["nofile"] or "-"), case["kill_after"] or "-",
                                    chk or "-", shown_argv(argv)]))
    with open(os.path.join(out, b"cases.tsv"), "w") as f:
        f.write("# id\tcase\tclass\tverb\texpect\tdest\tnofile\tkill_after\tchecks\targv\n")
        f.write("\n".join(lines) + "\n")
    classes = {}
    for case in c.list:
        classes[case["cls"]] = classes.get(case["cls"], 0) + 1
    print("%d cases, %d runs: %s" % (len(c.list), run_id,
                                     ", ".join("%s %d" % kv for kv in sorted(classes.items()))))


if __name__ == "__main__":
    main()
