#!/usr/bin/python3
"""Writes the archive `docker save` of Docker 25 and later writes, from one image of an OCI layout.

Usage: docker25.py LAYOUT TAG NAME OUT.tar
Docker 25's hybrid form: oci-layout, index.json (the OCI manifest, annotated with the image's
name), blobs/sha256/ (config, the manifest, and each layer uncompressed, media type
application/vnd.oci.image.layer.v1.tar, named by its diff_id), and for older readers
manifest.json (Config and Layers as blobs/ paths) and repositories.
Written by hand because Docker 20.10 is the engine here; what it must hold is moby's
image/tarexport/save.go (v25.0).
"""
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile


def blob(layout, digest):
    with open(os.path.join(layout, "blobs", *digest.split(":", 1)), "rb") as f:
        return f.read()


def uncompress(data):
    if data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    if data[:4] == b"\x28\xb5\x2f\xfd":
        return subprocess.run(["zstd", "-dc"], input=data, stdout=subprocess.PIPE, check=True).stdout
    return data


def main():
    layout, tag, name, out = sys.argv[1:5]
    with open(os.path.join(layout, "index.json")) as f:
        index = json.load(f)
    desc = next(d for d in index["manifests"]
                if d.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag)
    manifest = json.loads(blob(layout, desc["digest"]))
    config = blob(layout, manifest["config"]["digest"])
    members = {}  # path -> bytes
    config_digest = "sha256:" + hashlib.sha256(config).hexdigest()
    members["blobs/sha256/" + config_digest[7:]] = config
    layers = []
    for layer in manifest["layers"]:
        data = uncompress(blob(layout, layer["digest"]))
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        members["blobs/sha256/" + digest[7:]] = data
        layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar",
                       "digest": digest, "size": len(data)})
    new_manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": config_digest, "size": len(config)},
        "layers": layers}, separators=(",", ":")).encode()
    manifest_digest = "sha256:" + hashlib.sha256(new_manifest).hexdigest()
    members["blobs/sha256/" + manifest_digest[7:]] = new_manifest
    repo, _, ref_tag = name.rpartition(":")
    members["index.json"] = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": manifest_digest, "size": len(new_manifest),
                       "annotations": {"io.containerd.image.name": name,
                                       "org.opencontainers.image.ref.name": ref_tag}}]},
        separators=(",", ":")).encode()
    members["manifest.json"] = json.dumps([{
        "Config": "blobs/sha256/" + config_digest[7:], "RepoTags": [name],
        "Layers": ["blobs/sha256/" + l["digest"][7:] for l in layers]}],
        separators=(",", ":")).encode()
    members["oci-layout"] = b'{"imageLayoutVersion": "1.0.0"}'
    members["repositories"] = json.dumps(
        {repo: {ref_tag: layers[-1]["digest"][7:]}}, separators=(",", ":")).encode()
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        for d in ("blobs", "blobs/sha256"):
            info = tarfile.TarInfo(d)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(info)
        for path in sorted(members, key=lambda p: (not p.startswith("blobs/"), p)):
            info = tarfile.TarInfo(path)
            info.size, info.mode = len(members[path]), 0o644
            tar.addfile(info, io.BytesIO(members[path]))
    print(manifest_digest)


if __name__ == "__main__":
    main()
