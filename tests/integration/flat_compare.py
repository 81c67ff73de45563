#!/usr/bin/python3
"""Compares two images as a container sees them: flattened file systems and configs.

  flat_compare.py [--builders REF,CAND] REF_IMAGE CAND_IMAGE   (names; default: podman,pith)
  flat_compare.py --list IMAGE          the flattened listing of one image (for debugging)
  flat_compare.py --snapshot IMAGE OUT  writes IMAGE's config and flattened listing to OUT
                                        (JSON), which takes an IMAGE's place later (a cached
                                        reference is a few hundred kB, the image megabytes)
  flat_compare.py --snapshot-version    the version of that format (part of a cache key)

IMAGE is an OCI archive, an OCI layout directory (its only or first manifest) or a
docker-archive (`podman save`, `docker save`); layers tar, gzip or zstd.

Flattening applies the layers bottom first as a runtime does: `.wh.NAME` removes NAME, an
opaque marker `.wh..wh..opq` empties its directory of what lower layers put there, a
non-directory replaces whatever was at its path, a directory entry only changes the metadata
of a directory already there. Each path then has: type, link target, size, mode (with setuid,
setgid, sticky), uid, gid, content sha256, xattrs, and for hard links the group of paths that
share its inode (tar stores one as a file and the others as links to it; which one is the file
is the writer's choice, so the group is compared, not the choice). Mtimes are not compared,
nor the day of the last password change in /etc/shadow (SHADOW_DAY_FILES: useradd and
adduser write the build's date there, so an image built on another day, as a cached
reference is, differs in those digits alone).

Configs are compared key by key (nested objects key by key, dotted names in the report)
except `created` and `history` (times and builder's notes), `rootfs` (diff_ids are digests of
tar streams, which no two builders write alike; the file systems are compared instead), and
the builders' named quirks below (QUIRKS: what podman or Docker add that no Dockerfile asked
for). Exit status 0 when equal, 1 with one line per
difference, 2 when an image cannot be read.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile

# What --snapshot writes; a change to flattening or to the fields changes it.
SNAPSHOT_VERSION = 2

# ---------------------------------------------------------------------------------------
# Known differences, each named and explained; nothing else is ignored.

# Mount points a builder's RUN creates for its container (and that may stay in a layer as
# empty stubs): excepted only while they are empty files or directories, on either side.
RUN_STUBS = {
    "/dev", "/proc", "/sys", "/run", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf",
    "/run/.containerenv", "/.dockerenv", "/etc/mtab",
}

# Files whose third field of each line is the day (since 1970) a password last changed,
# written from the clock by useradd, adduser and passwd: hashed with that field emptied.
SHADOW_DAY_FILES = {"/etc/shadow", "/etc/shadow-"}


def content_sha256(path, data):
    if path in SHADOW_DAY_FILES:
        lines = []
        for line in data.split(b"\n"):
            fields = line.split(b":")
            if len(fields) > 2 and fields[2].isdigit():
                fields[2] = b""
            lines.append(b":".join(fields))
        data = b"\n".join(lines)
    return hashlib.sha256(data).hexdigest()


# Config keys only a Docker-format config has and that describe the builder, not the image:
# the last build container's id and config, the engine's version, the local ID of the parent
# image. Excepted on both sides (podman writes them too when built with --format docker).
DOCKER_FORMAT_BOOKKEEPING = {"container", "container_config", "docker_version", "parent"}


def quirk_buildah_version_label(config):
    """podman (buildah) stamps its own version on every image as a label; no other builder
    does, and a Dockerfile never asked for it."""
    labels = (config.get("config") or {}).get("Labels") or {}
    labels.pop("io.buildah.version", None)


def quirk_buildah_hostname(config):
    """podman (buildah), in Docker format, records its build container's id as
    config.Hostname; Docker leaves it empty and a Dockerfile cannot set it."""
    (config.get("config") or {}).pop("Hostname", None)


def quirk_docker_parent_image(config):
    """Docker's config.Image names the parent image by its local engine ID (sha256 of a config
    only that engine made); not an image property."""
    (config.get("config") or {}).pop("Image", None)


def quirk_buildah_env_order(config):
    """podman (buildah) moves a redefined variable (ENV PATH=/opt/bin:$PATH) to the end of
    Env; Docker (and BuildKit) keep it in its place. A process gets the same environment
    either way (the names are unique), so Env is compared as a set."""
    env = (config.get("config") or {}).get("Env")
    if env:
        env.sort()


# Dropped from both configs before comparing (an image FROM a podman-built base inherits
# podman's stamps, whoever builds it), listed by the builder that writes them.
QUIRKS = {
    "podman": [quirk_buildah_version_label, quirk_buildah_hostname, quirk_buildah_env_order],
    "docker": [quirk_docker_parent_image],
}


def empty(value):
    """Docker writes every field of its container config (Hostname "", Tty false, OnBuild
    null...); OCI configs omit empty ones. An empty value is the same as no key."""
    return value is None or value == "" or value is False or value == [] or value == {}


# ---------------------------------------------------------------------------------------
# Reading images

class ImageError(Exception):
    pass


class Source:
    """Blobs of an OCI archive/layout or a docker-archive, by path inside it."""

    def __init__(self, path):
        self.path = path
        self.tar = None
        if os.path.isdir(path):
            self.read = lambda name: open(os.path.join(path, name), "rb").read()
        else:
            self.tar = tarfile.open(path)
            names = {m.name.lstrip("./"): m for m in self.tar.getmembers()}

            def read(name):
                member = names.get(name.lstrip("./"))
                if member is None:
                    raise ImageError("%s: no %s in the archive" % (path, name))
                if member.issym() or member.islnk():
                    target = member.linkname
                    if member.issym():
                        target = os.path.normpath(os.path.join(os.path.dirname(name), target))
                    return read(target)
                return self.tar.extractfile(member).read()
            self.read = read

    def has(self, name):
        try:
            self.read(name)
            return True
        except (ImageError, OSError, KeyError):
            return False


def oci_blob(digest):
    algo, hexd = digest.split(":", 1)
    return "blobs/%s/%s" % (algo, hexd)


def load_image(path):
    """Returns (config dict, [layer bytes, bottom first])."""
    src = Source(path)
    if src.has("index.json"):
        index = json.loads(src.read("index.json"))
        desc = index["manifests"][0]
        manifest = json.loads(src.read(oci_blob(desc["digest"])))
        while "manifests" in manifest:   # an index inside: take the host's platform or the first
            descs = manifest["manifests"]
            pick = next((d for d in descs if d.get("platform", {}).get("architecture") == "amd64"),
                        descs[0])
            manifest = json.loads(src.read(oci_blob(pick["digest"])))
        config = json.loads(src.read(oci_blob(manifest["config"]["digest"])))
        layers = [src.read(oci_blob(d["digest"])) for d in manifest["layers"]]
    elif src.has("manifest.json"):
        manifest = json.loads(src.read("manifest.json"))[0]
        config = json.loads(src.read(manifest["Config"]))
        layers = [src.read(name) for name in manifest["Layers"]]
    else:
        raise ImageError("%s: neither an OCI layout/archive nor a docker-archive" % path)
    return config, [decompress(b) for b in layers]


def decompress(data):
    if data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    if data[:4] == b"\x28\xb5\x2f\xfd":
        return subprocess.run(["zstd", "-dc"], input=data, stdout=subprocess.PIPE,
                              check=True).stdout
    return data


# ---------------------------------------------------------------------------------------
# Flattening

class Node:
    __slots__ = ("type", "link", "size", "mode", "uid", "gid", "sha256", "xattrs", "inode")


TYPES = {tarfile.REGTYPE: "file", tarfile.AREGTYPE: "file", tarfile.CONTTYPE: "file",
         tarfile.DIRTYPE: "dir", tarfile.SYMTYPE: "symlink", tarfile.CHRTYPE: "char",
         tarfile.BLKTYPE: "block", tarfile.FIFOTYPE: "fifo"}


def norm(name):
    parts = [p for p in name.split("/") if p not in ("", ".")]
    return "/" + "/".join(parts)


class Tree:
    def __init__(self):
        self.nodes = {}
        self.next_inode = 0

    def children(self, path):
        prefix = path.rstrip("/") + "/"
        return [p for p in self.nodes if p.startswith(prefix)]

    def remove(self, path):
        for p in self.children(path) + [path]:
            self.nodes.pop(p, None)

    def apply(self, layer_bytes):
        tf = tarfile.open(fileobj=io.BytesIO(layer_bytes))
        members = tf.getmembers()
        # Whiteouts first: they act on the lower layers only.
        lower = set(self.nodes)
        for m in members:
            path = norm(m.name)
            base = path.rsplit("/", 1)[1]
            parent = path.rsplit("/", 1)[0] or "/"
            if base == ".wh..wh..opq":
                for p in self.children(parent):
                    if p in lower:
                        self.nodes.pop(p, None)
            elif base.startswith(".wh."):
                self.remove((parent.rstrip("/") + "/" + base[4:]))
        for m in members:
            path = norm(m.name)
            base = path.rsplit("/", 1)[1]
            if path == "/" or base.startswith(".wh."):
                continue
            old = self.nodes.get(path)
            if m.islnk():
                target = self.nodes.get(norm(m.linkname))
                if target is None:
                    raise ImageError("hard link %s to %s, which is not there" % (path, m.linkname))
                if old is not None:
                    self.remove(path)
                self.nodes[path] = target   # the same object: one inode
                continue
            if m.isdir() and old is not None and old.type == "dir":
                node = old                  # metadata of an existing directory
            else:
                if old is not None:
                    self.remove(path)
                node = Node()
                node.inode = self.next_inode
                self.next_inode += 1
            node.type = TYPES.get(m.type, "type-%r" % m.type)
            node.link = m.linkname if m.issym() else ""
            if m.ischr() or m.isblk():
                node.link = "%d,%d" % (m.devmajor, m.devminor)
            node.size = m.size if m.isreg() else 0
            node.mode = m.mode & 0o7777   # some writers keep the type bits (040755)
            node.uid, node.gid = m.uid, m.gid
            node.sha256 = content_sha256(path, tf.extractfile(m).read()) if m.isreg() else ""
            node.xattrs = {k[len("SCHILY.xattr."):]: v for k, v in m.pax_headers.items()
                           if k.startswith("SCHILY.xattr.")}
            self.nodes[path] = node

    def listing(self):
        """path -> dict of compared fields."""
        groups = {}
        for path, node in self.nodes.items():
            groups.setdefault(id(node), []).append(path)
        out = {}
        for path, node in self.nodes.items():
            members = sorted(groups[id(node)])
            out[path] = {
                "type": node.type, "link": node.link, "size": node.size,
                "mode": "%04o" % node.mode, "uid": node.uid, "gid": node.gid,
                "sha256": node.sha256[:16], "xattrs": node.xattrs,
                "hardlinks": ",".join(members) if len(members) > 1 else "",
            }
        return out


def load(path):
    """(config, flattened listing) of an image or of a snapshot written by --snapshot."""
    if path.endswith(".json"):
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            snap = json.load(f)
        return snap["config"], snap["fs"]
    config, layers = load_image(path)
    return config, flatten(layers)


def flatten(layers):
    tree = Tree()
    for layer in layers:
        tree.apply(layer)
    return tree.listing()


def is_stub(path, entry):
    return path in RUN_STUBS and (entry["type"] == "dir" or
                                  (entry["type"] == "file" and entry["size"] == 0))


# ---------------------------------------------------------------------------------------
# Comparing

def show(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def compare_fs(ref, cand, names):
    diffs = []
    for path in sorted(set(ref) | set(cand), key=lambda p: p.encode("utf-8", "surrogateescape")):
        a, b = ref.get(path), cand.get(path)
        if a is None or b is None:
            present = a or b
            if is_stub(path, present) and not any(
                    p.startswith(path + "/") for p in (ref if a else cand)):
                continue
            side = names[0] if a else names[1]
            diffs.append("fs %s: only in %s (%s)" % (printable(path), side, summary(present)))
            continue
        if is_stub(path, a) and is_stub(path, b):
            continue
        for field in ("type", "link", "size", "mode", "uid", "gid", "sha256", "xattrs",
                      "hardlinks"):
            if a[field] != b[field]:
                diffs.append("fs %s: %s: %s %s, %s %s" % (printable(path), field, names[0],
                                                         show(a[field]), names[1], show(b[field])))
    return diffs


def printable(path):
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def summary(entry):
    s = "%s %s %d:%d" % (entry["type"], entry["mode"], entry["uid"], entry["gid"])
    if entry["type"] == "file":
        s += " size %d" % entry["size"]
    if entry["link"]:
        s += " -> %s" % entry["link"]
    return s


def compare_values(prefix, a, b, names, diffs):
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            va, vb = a.get(key), b.get(key)
            if empty(va) and empty(vb):
                continue
            compare_values(prefix + "." + key if prefix else key, va, vb, names, diffs)
    elif a != b:
        diffs.append("config %s: %s %s, %s %s" % (prefix, names[0], show(a), names[1], show(b)))


def comparable_config(config):
    config = json.loads(json.dumps(config))
    for key in ("created", "history", "rootfs") + tuple(DOCKER_FORMAT_BOOKKEEPING):
        config.pop(key, None)
    return config


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--builders", default="podman,pith",
                    help="REF,CAND: the builders of the two images (names in the report)")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--snapshot", action="store_true")
    ap.add_argument("--snapshot-version", action="store_true")
    ap.add_argument("images", nargs="*")
    args = ap.parse_args()
    if args.snapshot_version:
        print(SNAPSHOT_VERSION)
        return 0
    try:
        if args.list:
            config, fs = load(args.images[0])
            for path, e in sorted(fs.items()):
                print(printable(path), show(e))
            print(show(config))
            return 0
        if args.snapshot:
            config, fs = load(args.images[0])
            with open(args.images[1], "w", encoding="utf-8", errors="surrogateescape") as f:
                json.dump({"config": config, "fs": fs}, f, sort_keys=True, ensure_ascii=False)
            return 0
        ref_config, ref_fs = load(args.images[0])
        cand_config, cand_fs = load(args.images[1])
    except (ImageError, OSError, KeyError, ValueError, tarfile.TarError,
            subprocess.CalledProcessError) as e:
        print("cannot read an image: %s" % e)
        return 2
    names = args.builders.split(",")
    for quirk in QUIRKS["podman"] + QUIRKS["docker"]:
        quirk(ref_config)
        quirk(cand_config)
    diffs = compare_fs(ref_fs, cand_fs, names)
    compare_values("", comparable_config(ref_config), comparable_config(cand_config), names, diffs)
    for d in diffs:
        print(d)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
