#!/usr/bin/python3
"""Copies an image's JSON documents and blobs, byte for byte, into an OCI layout so that
validate_oci.py can check them: from a registry, from skopeo's `dir:` form, or from a
docker-archive.

Usage: to_layout.py registry HOST REPO REF OUT
       to_layout.py dir DIR OUT
       to_layout.py docker-archive EXTRACTED_DIR OUT
The layout's index.json holds one descriptor: the image's top document as stored (a registry's
manifest or index by REF; dir:'s manifest.json). A docker-archive with an index.json (Docker 25's
form, or pith's) is its own layout; a legacy one stores no manifest, so a minimal OCI manifest is
written for it and only its config and layers are really under test.
"""
import hashlib
import json
import os
import shutil
import sys
import urllib.request

MANIFEST_TYPES = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
]
INDEX_TYPES = MANIFEST_TYPES[:2]


def put_blob(out, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    with open(os.path.join(out, "blobs", "sha256", digest[7:]), "wb") as f:
        f.write(data)
    return digest


def finish(out, top, media_type):
    digest = put_blob(out, top)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [
            {"mediaType": media_type, "digest": digest, "size": len(top)}]}, f)


def from_registry(host, repo, ref, out):
    def get(kind, what, accept=None):
        req = urllib.request.Request("http://%s/v2/%s/%s/%s" % (host, repo, kind, what))
        if accept:
            req.add_header("Accept", ", ".join(accept))
        with urllib.request.urlopen(req) as r:
            return r.read(), r.headers.get("Content-Type", "")

    def walk(data, media_type):
        doc = json.loads(data)
        media_type = doc.get("mediaType", media_type)
        children = doc.get("manifests", []) if media_type in INDEX_TYPES else []
        for d in children:
            child, ctype = get("manifests", d["digest"], MANIFEST_TYPES)
            put_blob(out, child)
            walk(child, d.get("mediaType", ctype))
        if media_type not in INDEX_TYPES:
            for d in [doc.get("config", {})] + doc.get("layers", []):
                put_blob(out, get("blobs", d["digest"])[0])

    top, ctype = get("manifests", ref, MANIFEST_TYPES)
    media_type = json.loads(top).get("mediaType", ctype.split(";")[0])
    walk(top, media_type)
    finish(out, top, media_type)


def from_dir(src, out):
    for name in os.listdir(src):
        path = os.path.join(src, name)
        if name in ("manifest.json", "version") or name.endswith(".signature"):
            continue
        target = name[:-len(".manifest.json")] if name.endswith(".manifest.json") else name
        shutil.copyfile(path, os.path.join(out, "blobs", "sha256", target))
    with open(os.path.join(src, "manifest.json"), "rb") as f:
        top = f.read()
    finish(out, top, json.loads(top).get("mediaType", MANIFEST_TYPES[2]))


def from_docker_archive(src, out):
    if os.path.exists(os.path.join(src, "index.json")):
        shutil.rmtree(out)
        shutil.copytree(src, out)
        return
    with open(os.path.join(src, "manifest.json")) as f:
        entry = json.load(f)[0]
    def read(p):
        with open(os.path.join(src, p), "rb") as f:
            return f.read()
    config = read(entry["Config"])
    layers = [read(p) for p in entry["Layers"]]
    manifest = {"schemaVersion": 2, "mediaType": MANIFEST_TYPES[2],
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           "digest": put_blob(out, config), "size": len(config)},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                            "digest": put_blob(out, l), "size": len(l)} for l in layers]}
    finish(out, json.dumps(manifest).encode(), MANIFEST_TYPES[2])


def main():
    mode, args, out = sys.argv[1], sys.argv[2:-1], sys.argv[-1]
    os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)
    {"registry": from_registry, "dir": from_dir, "docker-archive": from_docker_archive}[mode](
        *args, out)


if __name__ == "__main__":
    main()
