#!/usr/bin/env python3
"""Writes a docker-archive (legacy `docker save` form) from a JSON description on stdin, so CLI
tests can make images with exactly the entries they need: hostile paths, symlinks pointing out
of the root, whiteouts. Usage: make_archive.py OUT.tar < spec.json, where spec.json is
{"layers": [[{"path": "app/x", "type": "file|dir|symlink|hardlink", "content": "text",
              "from": "/host/file", "target": "...", "mode": 493}, ...], ...]}
"""
import hashlib
import io
import json
import sys
import tarfile

TYPES = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
         "hardlink": tarfile.LNKTYPE}


def layer_tar(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for e in entries:
            info = tarfile.TarInfo(e["path"])
            info.type = TYPES[e.get("type", "file")]
            info.mode = e.get("mode", 0o755 if info.type == tarfile.DIRTYPE else 0o644)
            info.linkname = e.get("target", "")
            data = None
            if info.type == tarfile.REGTYPE:
                if "from" in e:
                    with open(e["from"], "rb") as f:
                        data = f.read()
                else:
                    data = e.get("content", "").encode()
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def main():
    spec = json.load(sys.stdin)
    layers = [layer_tar(entries) for entries in spec["layers"]]
    diff_ids = ["sha256:" + hashlib.sha256(l).hexdigest() for l in layers]
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    names = [f"{i}/layer.tar" for i in range(len(layers))]
    manifest = json.dumps([{"Config": "config.json", "RepoTags": ["localhost/made:1"],
                            "Layers": names}]).encode()
    with tarfile.open(sys.argv[1], mode="w") as out:
        for name, data in list(zip(names, layers)) + [("config.json", config),
                                                       ("manifest.json", manifest)]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))


if __name__ == "__main__":
    main()
