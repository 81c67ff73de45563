#!/usr/bin/python3
"""Checks that an OCI layout holds OCI documents only, as the image-spec asks and as skopeo,
podman and umoci expect: index.json and nested indexes point at OCI manifests or indexes, each
manifest is an OCI manifest (its own mediaType field may be left out) with an OCI config and OCI layer media types.

Usage: oci_types.py LAYOUT   (exit 1 with one line per problem)
"""
import json
import os
import sys

INDEX = "application/vnd.oci.image.index.v1+json"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER_PREFIX = "application/vnd.oci.image.layer."


def main():
    layout = sys.argv[1]
    problems = []

    def load(digest):
        with open(os.path.join(layout, "blobs", *digest.split(":", 1)), "rb") as f:
            return json.load(f)

    def walk_index(doc, where):
        if doc.get("mediaType", INDEX) != INDEX:
            problems.append("%s: mediaType %s" % (where, doc.get("mediaType")))
        for d in doc.get("manifests") or []:
            here = "%s -> %s" % (where, d.get("digest", "?")[:19])
            if d.get("mediaType") == INDEX:
                walk_index(load(d["digest"]), here)
            elif d.get("mediaType") == MANIFEST:
                walk_manifest(load(d["digest"]), here)
            else:
                problems.append("%s: descriptor mediaType %s" % (here, d.get("mediaType")))

    def walk_manifest(doc, where):
        if doc.get("mediaType", MANIFEST) != MANIFEST:  # optional in the document itself
            problems.append("%s: manifest mediaType %s" % (where, doc.get("mediaType")))
        if (doc.get("config") or {}).get("mediaType") != CONFIG:
            problems.append("%s: config mediaType %s" % (where, (doc.get("config") or {}).get("mediaType")))
        for i, layer in enumerate(doc.get("layers") or []):
            if not layer.get("mediaType", "").startswith(LAYER_PREFIX):
                problems.append("%s: layers[%d] mediaType %s" % (where, i, layer.get("mediaType")))

    try:
        with open(os.path.join(layout, "index.json")) as f:
            walk_index(json.load(f), "index.json")
    except (OSError, ValueError, KeyError) as e:
        problems.append("cannot read: %s" % e)
    for p in problems:
        print("oci_types: %s: %s" % (layout, p))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
