#!/usr/bin/env python3
"""bench/fleet/variants.py — fills a local registry with variants of images already in it.

    variants.py HOST:PORT REPO:TAG COUNT

For i in 1..COUNT, pushes REPO-v{i}:1: REPO:TAG with one small layer added (a 4 KiB file,
/srv/variant/{i}.txt, gzip-compressed), as a team builds its applications on a shared base. The
base's blobs are mounted into the new repository (no copy); the config gets the new diff_id and a
history entry. Stdlib only; plain HTTP (the bench's registry is on loopback).
"""
import gzip
import hashlib
import io
import json
import sys
import tarfile
import urllib.request

MANIFEST_TYPES = ", ".join([
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
])


def request(method, url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    with urllib.request.urlopen(req) as resp:
        return resp.status, dict(resp.headers), resp.read()


def push_blob(base, repo, blob):
    digest = "sha256:" + hashlib.sha256(blob).hexdigest()
    _, headers, _ = request("POST", f"{base}/v2/{repo}/blobs/uploads/")
    location = headers["Location"]
    if location.startswith("/"):
        location = base + location
    sep = "&" if "?" in location else "?"
    request("PUT", f"{location}{sep}digest={digest}", data=blob,
            headers={"Content-Type": "application/octet-stream"})
    return digest


def mount_blob(base, repo, source_repo, digest):
    status, _, _ = request("POST", f"{base}/v2/{repo}/blobs/uploads/?mount={digest}&from={source_repo}")
    if status != 201:
        raise SystemExit(f"mounting {digest} from {source_repo} into {repo}: HTTP {status}")


def small_layer(i):
    """A gzip-compressed tar with one 4 KiB file; (compressed, uncompressed) bytes."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in ("srv", "srv/variant"):
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
            tar.addfile(info)
        content = (f"variant {i}\n" * 400).encode()[:4096]
        info = tarfile.TarInfo(f"srv/variant/{i}.txt")
        info.size, info.mode, info.mtime = len(content), 0o644, 0
        tar.addfile(info, io.BytesIO(content))
    uncompressed = raw.getvalue()
    return gzip.compress(uncompressed, mtime=0), uncompressed


def main():
    host, image, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    repo, tag = image.rsplit(":", 1)
    base = f"http://{host}"
    _, headers, body = request("GET", f"{base}/v2/{repo}/manifests/{tag}", headers={"Accept": MANIFEST_TYPES})
    manifest = json.loads(body)
    media_type = manifest.get("mediaType") or headers.get("Content-Type")
    oci = "oci" in media_type
    layer_type = ("application/vnd.oci.image.layer.v1.tar+gzip" if oci
                  else "application/vnd.docker.image.rootfs.diff.tar.gzip")
    _, _, config_body = request("GET", f"{base}/v2/{repo}/blobs/{manifest['config']['digest']}")
    for i in range(1, count + 1):
        target = f"{repo}-v{i}"
        for layer in manifest["layers"]:
            mount_blob(base, target, repo, layer["digest"])
        compressed, uncompressed = small_layer(i)
        layer_digest = push_blob(base, target, compressed)
        config = json.loads(config_body)
        config["rootfs"]["diff_ids"].append("sha256:" + hashlib.sha256(uncompressed).hexdigest())
        config.setdefault("history", []).append({"created_by": f"COPY variant/{i}.txt /srv/variant/"})
        config_bytes = json.dumps(config, separators=(",", ":")).encode()
        config_digest = push_blob(base, target, config_bytes)
        out = dict(manifest)
        out["config"] = dict(manifest["config"], digest=config_digest, size=len(config_bytes))
        out["layers"] = manifest["layers"] + [
            {"mediaType": layer_type, "digest": layer_digest, "size": len(compressed)}]
        request("PUT", f"{base}/v2/{target}/manifests/1", data=json.dumps(out).encode(),
                headers={"Content-Type": media_type})


if __name__ == "__main__":
    main()
