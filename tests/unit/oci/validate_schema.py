#!/usr/bin/env python3
# Validates JSON files against one of the OCI image-spec schemas (draft-04, $ref by file name).
# Usage: validate_schema.py SCHEMA_DIR SCHEMA_FILE JSON_FILE...; prints one line per failure.
import json
import pathlib
import sys

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4


def strip_ids(node):
    # The schemas carry absolute "id"s that would move $ref resolution off the local files.
    if isinstance(node, dict):
        return {k: strip_ids(v) for k, v in node.items()
                if not (k == "id" and isinstance(v, str) and v.startswith("https://"))}
    if isinstance(node, list):
        return [strip_ids(v) for v in node]
    return node


def main():
    schema_dir = pathlib.Path(sys.argv[1]).resolve()
    resources = []
    for p in schema_dir.glob("*.json"):
        contents = strip_ids(json.loads(p.read_text()))
        resources.append((p.as_uri(), Resource.from_contents(contents, default_specification=DRAFT4)))
    registry = Registry().with_resources(resources)
    schema_path = schema_dir / sys.argv[2]
    schema = strip_ids(json.loads(schema_path.read_text()))
    schema["id"] = schema_path.as_uri()
    validator = jsonschema.Draft4Validator(schema, registry=registry)
    failures = 0
    for name in sys.argv[3:]:
        doc = json.loads(pathlib.Path(name).read_text())
        for err in validator.iter_errors(doc):
            failures += 1
            print(f"{name}: {'/'.join(map(str, err.absolute_path))}: {err.message}")
    print(f"validated {len(sys.argv) - 3} files, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
