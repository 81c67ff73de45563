#!/usr/bin/python3
"""Independent validator for an OCI image layout directory (used by the integration tests).

Walks DIR/oci-layout, DIR/index.json and every index, manifest and config reachable from it,
validates each JSON document against the OCI image-spec JSON schemas (draft-04, $ref by file
name), and checks that every reachable blob exists with the descriptor's size and sha256.
For image manifests it also checks that each layer, uncompressed, hashes to the config's
rootfs.diff_ids entry, and that the counts of layers and diff_ids agree.

Usage: validate_oci.py [--schema-dir DIR] [--allow-missing-manifests] [--no-diff-ids] LAYOUT
Exit 0 when valid; 1 with one line per problem otherwise.

Written for Debian's python3-jsonschema (4.10, RefResolver); also runs on newer releases.
"""
import argparse
import gzip
import hashlib
import json
import os
import subprocess
import sys
import urllib.parse
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)
import jsonschema  # noqa: E402

DEFAULT_SCHEMA_DIR = os.path.join(
    os.environ.get("PITH_CORPUS", os.path.join(os.path.dirname(__file__), "../../../shared/corpus")),
    "image-spec", "schema")

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
INDEX_TYPES = {OCI_INDEX, DOCKER_LIST}
MANIFEST_TYPES = {OCI_MANIFEST, DOCKER_MANIFEST}
IMAGE_CONFIG_TYPES = {OCI_CONFIG, DOCKER_CONFIG}


class SchemaSet:
    """The image-spec schemas, with every $ref (whatever base URI it resolves against)
    mapped back to the local file of the same name."""

    def __init__(self, schema_dir):
        self.dir = os.path.abspath(schema_dir)
        self.docs = {}
        for name in os.listdir(self.dir):
            if name.endswith(".json"):
                with open(os.path.join(self.dir, name)) as f:
                    self.docs[name] = json.load(f)
        store = {}
        for name, doc in self.docs.items():
            store["file://" + os.path.join(self.dir, name)] = doc
            if isinstance(doc.get("id"), str):
                store[doc["id"]] = doc
        self.store = store

    def _load_by_file_name(self, uri):
        name = os.path.basename(urllib.parse.urlsplit(uri).path)
        if name in self.docs:
            return self.docs[name]
        raise jsonschema.RefResolutionError("no local schema for " + uri)

    def errors(self, schema_name, instance):
        schema = self.docs[schema_name]
        resolver = jsonschema.RefResolver(
            base_uri="file://" + os.path.join(self.dir, schema_name), referrer=schema,
            store=dict(self.store),
            handlers={"https": self._load_by_file_name, "http": self._load_by_file_name})
        validator = jsonschema.Draft4Validator(schema, resolver=resolver)
        return sorted(
            "%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(root)", e.message)
            for e in validator.iter_errors(instance))


def sha256_of_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def uncompressed_sha256(path, media_type):
    """sha256 of a layer blob after decompression (detected by magic bytes, not media type)."""
    with open(path, "rb") as f:
        magic = f.read(4)
    h = hashlib.sha256()
    if magic[:2] == b"\x1f\x8b":
        with gzip.open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    elif magic == b"\x28\xb5\x2f\xfd":
        proc = subprocess.Popen(["zstd", "-dc", "--", path], stdout=subprocess.PIPE)
        for chunk in iter(lambda: proc.stdout.read(1 << 20), b""):
            h.update(chunk)
        if proc.wait() != 0:
            raise ValueError("zstd could not decompress it")
    else:
        return sha256_of_file(path)
    return h.hexdigest()


def is_tar_layer(media_type):
    return ".tar" in media_type or "rootfs.diff" in media_type


class LayoutValidator:
    def __init__(self, layout, schemas, allow_missing_manifests, check_diff_ids):
        self.layout = layout
        self.schemas = schemas
        self.allow_missing_manifests = allow_missing_manifests
        self.check_diff_ids = check_diff_ids
        self.problems = []
        self.warnings = []
        self.checked_blobs = {}
        self.counts = {"index": 0, "manifest": 0, "config": 0, "layer": 0, "other": 0}

    def problem(self, where, what):
        self.problems.append("%s: %s" % (where, what))

    def validate_json(self, where, schema_name, doc):
        for err in self.schemas.errors(schema_name, doc):
            self.problem(where, "%s: %s" % (schema_name, err))

    def load_json_file(self, where, path):
        try:
            with open(path, "rb") as f:
                return json.loads(f.read())
        except (OSError, ValueError) as e:
            self.problem(where, "cannot read JSON: %s" % e)
            return None

    def blob_path(self, digest):
        algo, _, hexpart = digest.partition(":")
        return os.path.join(self.layout, "blobs", algo, hexpart)

    def check_blob(self, desc, where, missing_ok=False):
        """Checks the blob a descriptor points at; returns its path or None."""
        digest, size = desc.get("digest", ""), desc.get("size")
        if digest in self.checked_blobs:
            return self.checked_blobs[digest]
        algo, _, hexpart = digest.partition(":")
        if algo != "sha256":
            self.problem(where, "unsupported digest algorithm in %r" % digest)
            return None
        path = self.blob_path(digest)
        if not os.path.isfile(path):
            if missing_ok:
                self.warnings.append("%s: blob %s is not in the layout (allowed)" % (where, digest))
            else:
                self.problem(where, "blob %s is missing" % digest)
            self.checked_blobs[digest] = None
            return None
        actual_size = os.path.getsize(path)
        if actual_size != size:
            self.problem(where, "blob %s has size %d, descriptor says %s" % (digest, actual_size, size))
        actual = sha256_of_file(path)
        if actual != hexpart:
            self.problem(where, "blob %s has sha256 %s" % (digest, actual))
        self.checked_blobs[digest] = path
        return path

    def walk_descriptor(self, desc, where, missing_ok=False):
        media_type = desc.get("mediaType", "")
        path = self.check_blob(desc, where, missing_ok)
        if path is None:
            return
        if media_type in INDEX_TYPES:
            self.walk_index(path, "%s -> index %s" % (where, desc["digest"][:19]))
        elif media_type in MANIFEST_TYPES:
            self.walk_manifest(path, "%s -> manifest %s" % (where, desc["digest"][:19]))
        else:
            self.counts["other"] += 1

    def walk_index(self, path, where, is_top=False):
        doc = self.load_json_file(where, path)
        if doc is None:
            return
        self.counts["index"] += 1
        self.validate_json(where, "image-index-schema.json", doc)
        manifests = doc.get("manifests")
        if not isinstance(manifests, list):
            return
        for i, desc in enumerate(manifests):
            if not isinstance(desc, dict):
                continue
            # A manifest list copied for one platform keeps the other platforms' entries
            # without their blobs; only tolerated where the caller says so.
            missing_ok = self.allow_missing_manifests and not is_top
            self.walk_descriptor(desc, "%s manifests[%d]" % (where, i), missing_ok)

    def walk_manifest(self, path, where):
        doc = self.load_json_file(where, path)
        if doc is None:
            return
        self.counts["manifest"] += 1
        self.validate_json(where, "image-manifest-schema.json", doc)
        config_desc = doc.get("config") or {}
        config_path = self.check_blob(config_desc, where + " config")
        config = None
        if config_path and config_desc.get("mediaType") in IMAGE_CONFIG_TYPES:
            config = self.load_json_file(where + " config", config_path)
            if config is not None:
                self.counts["config"] += 1
                self.validate_json(where + " config", "config-schema.json", config)
        layers = doc.get("layers") or []
        layer_paths = []
        for i, layer in enumerate(layers):
            if not isinstance(layer, dict):
                continue
            self.counts["layer"] += 1
            layer_paths.append((self.check_blob(layer, "%s layers[%d]" % (where, i)), layer))
        if "subject" in doc and isinstance(doc["subject"], dict):
            # A referrer's subject need not be in the layout; when it is, it must match.
            subject = doc["subject"]
            if os.path.isfile(self.blob_path(subject.get("digest", ""))):
                self.check_blob(subject, where + " subject")
        if config is None or not self.check_diff_ids:
            return
        if not all(is_tar_layer(l.get("mediaType", "")) for _, l in layer_paths):
            return  # an artifact: its layers are not filesystem changesets
        diff_ids = (config.get("rootfs") or {}).get("diff_ids") or []
        if len(diff_ids) != len(layers):
            self.problem(where, "%d layers but %d diff_ids in the config" % (len(layers), len(diff_ids)))
            return
        for i, ((layer_path, layer), diff_id) in enumerate(zip(layer_paths, diff_ids)):
            if layer_path is None:
                continue
            try:
                actual = "sha256:" + uncompressed_sha256(layer_path, layer.get("mediaType", ""))
            except (OSError, EOFError, ValueError) as e:
                self.problem("%s layers[%d]" % (where, i), "cannot decompress: %s" % e)
                continue
            if actual != diff_id:
                self.problem("%s layers[%d]" % (where, i),
                             "uncompressed digest %s != diff_id %s" % (actual, diff_id))

    def run(self):
        layout_file = os.path.join(self.layout, "oci-layout")
        doc = self.load_json_file("oci-layout", layout_file)
        if doc is not None:
            self.validate_json("oci-layout", "image-layout-schema.json", doc)
        index_path = os.path.join(self.layout, "index.json")
        self.walk_index(index_path, "index.json", is_top=True)
        return not self.problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("layout")
    ap.add_argument("--schema-dir", default=DEFAULT_SCHEMA_DIR)
    ap.add_argument("--allow-missing-manifests", action="store_true",
                    help="tolerate manifests (and their blobs) of a nested index being absent")
    ap.add_argument("--no-diff-ids", action="store_true",
                    help="skip decompressing layers to check them against the config's diff_ids")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args()
    v = LayoutValidator(args.layout, SchemaSet(args.schema_dir),
                        args.allow_missing_manifests, not args.no_diff_ids)
    ok = v.run()
    for w in v.warnings:
        if not args.quiet:
            print("validate_oci: warning: %s" % w, file=sys.stderr)
    for p in v.problems:
        print("validate_oci: %s: %s" % (args.layout, p), file=sys.stderr)
    c = v.counts
    if not args.quiet or not ok:
        print("validate_oci: %s: %s (%d indexes, %d manifests, %d configs, %d layers, %d other blobs, %d problems)"
              % (args.layout, "ok" if ok else "INVALID", c["index"], c["manifest"], c["config"],
                 c["layer"], c["other"], len(v.problems)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
