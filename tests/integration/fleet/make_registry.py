#!/usr/bin/env python3
"""Fills a registry with many tags sharing layers, for the fleet test, and tampers one blob.

Usage: make_registry.py REGISTRY STORAGE_DIR OUT_JSON REPO:VARIANTS...

Each REPO already holds the tag "base" (pushed by the test with skopeo). For each, VARIANTS
images are made from it over the distribution API, each adding one small layer of its own:
variant i writes /app/variant.txt, every 3rd also deletes /bin/sh (a whiteout), every 4th
names a program that is not there (/app/missing) as its entrypoint. Variant i is tagged vI,
build-I and rel-I, every 2nd also stable-I: many more tags than images. Then the repository "tampered" gets one image
whose own layer blob is overwritten in the registry's storage with other bytes of the same
length (the registry serves them; a reader must refuse them).

OUT_JSON records what the test checks against: every tag and its manifest digest, the distinct
diff_ids of the good images, the tampered image's reference and layer.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile
import urllib.request

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
ACCEPT = ", ".join([OCI_MANIFEST, DOCKER_MANIFEST])


def request(method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(req) as r:
        return r.status, dict(r.headers), r.read()


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def put_blob(base, repo, data):
    digest = sha(data)
    try:
        request("HEAD", f"{base}/v2/{repo}/blobs/{digest}")
        return digest
    except urllib.error.HTTPError:
        pass
    _, headers, _ = request("POST", f"{base}/v2/{repo}/blobs/uploads/")
    location = headers["Location"]
    if location.startswith("/"):
        location = base + location
    sep = "&" if "?" in location else "?"
    request("PUT", f"{location}{sep}digest={digest}", data,
            {"Content-Type": "application/octet-stream"})
    return digest


def get_manifest(base, repo, ref):
    _, headers, body = request("GET", f"{base}/v2/{repo}/manifests/{ref}", None, {"Accept": ACCEPT})
    return json.loads(body), headers.get("Content-Type", OCI_MANIFEST)


def put_manifest(base, repo, tag, manifest, media_type):
    data = json.dumps(manifest, separators=(",", ":")).encode()
    request("PUT", f"{base}/v2/{repo}/manifests/{tag}", data, {"Content-Type": media_type})
    return sha(data)


def layer_tar(i, delete_shell):
    """A deterministic layer: /app/variant.txt, and maybe a whiteout of /bin/sh."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        def add(name, data=b"", kind=tarfile.REGTYPE, mode=0o644):
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.size, info.mtime = kind, mode, len(data), 0
            tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
        add("app/", kind=tarfile.DIRTYPE, mode=0o755)
        add("app/variant.txt", f"variant {i}\n".encode())
        if delete_shell:
            add("bin/.wh.sh")
    return out.getvalue()


def make_variant(base, repo, i, manifest, media_type, config):
    raw = layer_tar(i, i % 3 == 0)
    blob = gzip.compress(raw, mtime=0)
    layer_digest = put_blob(base, repo, blob)
    cfg = json.loads(json.dumps(config))
    cfg["rootfs"]["diff_ids"].append(sha(raw))
    cfg.setdefault("history", [])
    if cfg["history"]:
        cfg["history"].append({"created_by": f"fleet test variant {i}"})
    if i % 4 == 0:
        cfg.setdefault("config", {})["Entrypoint"] = ["/app/missing"]
        cfg["config"]["Cmd"] = None
    cfg_bytes = json.dumps(cfg, separators=(",", ":")).encode()
    cfg_digest = put_blob(base, repo, cfg_bytes)
    docker = media_type == DOCKER_MANIFEST
    m = json.loads(json.dumps(manifest))
    m["config"]["digest"], m["config"]["size"] = cfg_digest, len(cfg_bytes)
    m["layers"].append({
        "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip" if docker
        else "application/vnd.oci.image.layer.v1.tar+gzip",
        "digest": layer_digest, "size": len(blob)})
    tags = [f"v{i}", f"build-{i}", f"rel-{i}"] + ([f"stable-{i}"] if i % 2 == 0 else [])
    digest = None
    for tag in tags:
        digest = put_manifest(base, repo, tag, m, media_type)
    return tags, digest, cfg["rootfs"]["diff_ids"]


def main():
    registry, storage, out_path, *specs = sys.argv[1:]
    base = f"http://{registry}"
    tags = {}
    diff_ids = set()
    for spec in specs:
        repo, count = spec.split(":")
        manifest, media_type = get_manifest(base, repo, "base")
        _, _, cfg = request("GET", f"{base}/v2/{repo}/blobs/{manifest['config']['digest']}")
        config = json.loads(cfg)
        _, headers, body = request("HEAD", f"{base}/v2/{repo}/manifests/base", None, {"Accept": ACCEPT})
        tags[f"{registry}/{repo}:base"] = headers["Docker-Content-Digest"]
        diff_ids.update(config["rootfs"]["diff_ids"])
        for i in range(int(count)):
            names, digest, ids = make_variant(base, repo, i, manifest, media_type, config)
            for name in names:
                tags[f"{registry}/{repo}:{name}"] = digest
            diff_ids.update(ids)

    # The tampered image: the first repository's base plus a layer of its own, whose stored
    # bytes are then replaced (same length, so only the digest check can tell).
    repo = specs[0].split(":")[0]
    manifest, media_type = get_manifest(base, repo, "base")
    _, _, cfg = request("GET", f"{base}/v2/{repo}/blobs/{manifest['config']['digest']}")
    config = json.loads(cfg)
    for layer in manifest["layers"]:  # the base's blobs, for the new repository
        _, _, data = request("GET", f"{base}/v2/{repo}/blobs/{layer['digest']}")
        put_blob(base, "tampered", data)
    names, digest, ids = make_variant(base, "tampered", 1000, manifest, media_type, config)
    for name in names:
        tags[f"{registry}/tampered:{name}"] = digest
    good_layer = ids[-1]
    m, _ = get_manifest(base, "tampered", "v1000")
    blob = m["layers"][-1]["digest"]
    hexd = blob.split(":")[1]
    data_path = os.path.join(storage, "docker/registry/v2/blobs/sha256", hexd[:2], hexd, "data")
    with open(data_path, "rb") as f:
        good = f.read()
    bad = gzip.compress(layer_tar(1001, False), mtime=0)
    bad = (bad + b"\0" * len(good))[:len(good)] if len(bad) <= len(good) else bad[:len(good)]
    with open(data_path, "wb") as f:
        f.write(bad)

    with open(out_path, "w") as f:
        json.dump({
            "tags": tags,
            "diff_ids": sorted(diff_ids),
            "tampered": {"manifest": digest,
                         "blob": blob, "diff_id": good_layer},
        }, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
