#!/usr/bin/env bash
# Integration test: `pith fleet` against a real PostgreSQL 15 (started here) and Debian's
# docker-registry filled with a few hundred tags sharing layers (fleet/make_registry.py:
# variants of a Debian image, an Alpine image and busybox, one tampered blob).
# Checked: init is applied once and safe to repeat; enqueue --catalog records every tag the
# registry lists; 1, 2 and 4 worker processes drain the queue with the same results, each
# layer analysed once (the published analyses = the distinct diff_ids, counted from the
# registry by the generator); a worker killed with SIGKILL mid-run loses nothing (its claim is
# taken back after the lease); the tampered blob is refused, recorded with its error, and
# nothing about its layer published; every image's stored inspect and lint JSON equal a single
# `pith inspect` / `pith lint` of it, its SBOMs `pith sbom`'s; the inventory queries answer what
# those single runs say; Harbor's scanner API (fleet serve) answers with the OpenAPI document's
# shapes (fleet/harbor_check.py); --attach-sbom pushes each SBOM back as a referrer; the
# systemd units verify and the Kubernetes manifests' command lines run.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_pith

command -v docker-registry >/dev/null || { skip fleet "docker-registry is not installed"; finish fleet; }
[ -x "$PG_BIN/postgres" ] || { skip fleet "postgresql 15 is not installed"; finish fleet; }
id postgres >/dev/null 2>&1 || { skip fleet "no postgres user"; finish fleet; }

FLEET_DIR="$INTEGRATION_DIR/fleet"
export SOURCE_DATE_EPOCH=1700000000  # the SBOMs' time, in the workers and in `pith sbom`
TLS=(--tls-verify=false)

# ---------------------------------------------------------------------------------------
# The registry: three bases pushed by skopeo, their variants by make_registry.py.
fixture_images
debian_fixture
start_postgres
REG_PORT=$(free_port)
start_registry reg "$REG_PORT"
REG=127.0.0.1:$REG_PORT
skopeo copy -q --dest-tls-verify=false "oci:$FIXTURE_OCI_DIR" "docker://$REG/alpine:base"
skopeo copy -q --dest-tls-verify=false "docker-archive:$DEBIAN_ARCHIVE" "docker://$REG/debian:base"
skopeo copy -q --dest-tls-verify=false "docker-archive:$PITH_CORPUS/dive/test-docker-image.tar" \
  "docker://$REG/busybox:base"
"$PYTHON" "$FLEET_DIR/make_registry.py" "$REG" "$TEST_TMP/reg-data" "$TEST_TMP/model.json" \
  debian:20 alpine:20 busybox:20
TAGS=$(jq '.tags | length' "$TEST_TMP/model.json")
IMAGES=$(jq '[.tags[]] | unique | length' "$TEST_TMP/model.json")
DIFF_IDS=$(jq '.diff_ids | length' "$TEST_TMP/model.json")
echo "registry: $TAGS tags, $IMAGES images, $DIFF_IDS distinct good diff_ids"

psql_at() { "$PG_BIN/psql" -qAt -d "$DB" -c "$1"; }
# the per-image results of a run, as checksums: what two runs must agree on
results() { psql_at "SELECT manifest, md5(inspect), md5(findings), md5(sbom_spdx), md5(sbom_cyclonedx) FROM images ORDER BY manifest"; }

# new_fleet NAME: a fresh database, initialised and filled from the registry's catalog.
new_fleet() {
  DB=$(fresh_database "$1")
  export PITH_FLEET_DB=$DB
  "$PITH" fleet init >/dev/null
  "$PITH" fleet enqueue --catalog "docker://$REG" "${TLS[@]}" >"$TEST_TMP/enqueue.out"
}
# work_processes N ARGS...: N `pith fleet work` processes at once; waits for all.
work_processes() {
  local n=$1 i pids=()
  shift
  for ((i = 0; i < n; i++)); do
    "$PITH" fleet work "${TLS[@]}" --max-attempts "${ATTEMPTS:-1}" "$@" >"$TEST_TMP/work-$i.out" 2>"$TEST_TMP/work-$i.err" &
    pids+=($!)
  done
  local rc=0
  for i in "${pids[@]}"; do wait "$i" || rc=1; done
  return $rc
}
# check_run NAME: every good image done, the tampered one failed, one analysis per diff_id.
check_run() {
  check_equal "$1: every good image done, the tampered one failed" \
    "$((IMAGES - 1)) done, 1 failed" \
    "$(psql_at "SELECT count(*) FILTER (WHERE state = 'done') || ' done, ' || count(*) FILTER (WHERE state = 'failed') || ' failed' FROM manifests")"
  check_equal "$1: layer analyses published = distinct diff_ids ($DIFF_IDS)" "$DIFF_IDS $DIFF_IDS" \
    "$(psql_at "SELECT coalesce(sum(analyses), 0) || ' ' || count(*) FROM layers WHERE state = 'done'")"
}

# ---------------------------------------------------------------------------------------
# 1. init: once, and again without effect; a worker on an empty database is told to init.
DB=$(fresh_database bare)
expect_error "work without init: told to run init" "run \`pith fleet init --db URL\` first" \
  fleet work --db "$DB"
check_equal "init applies migration 1" "fleet schema: version 0 -> 1" "$("$PITH" fleet init --db "$DB")"
check_equal "init again: nothing to do" "fleet schema: version 1, nothing to do" "$("$PITH" fleet init --db "$DB")"
check_equal "one schema row" "1" "$("$PG_BIN/psql" -qAt -d "$DB" -c 'SELECT count(*) FROM pith_fleet_schema')"
expect_error "query needs one question" "query: ask one of" fleet query --db "$DB"

# ---------------------------------------------------------------------------------------
# 2. One worker.
new_fleet one
check_equal "enqueue --catalog: every tag recorded, every image queued" \
  "$TAGS references recorded, $IMAGES images queued" "$(cat "$TEST_TMP/enqueue.out")"
check_equal "refs = the registry's tags" "$(jq -r '.tags | keys[]' "$TEST_TMP/model.json" | LC_ALL=C sort)" \
  "$(psql_at 'SELECT reference FROM refs ORDER BY reference COLLATE "C"')"
"$PITH" fleet enqueue --catalog "docker://$REG" "${TLS[@]}" >"$TEST_TMP/enqueue2.out"
check_equal "enqueue again: nothing queued twice" "$TAGS references recorded, 0 images queued" \
  "$(cat "$TEST_TMP/enqueue2.out")"
check "1 worker drains the queue" work_processes 1
check_run "1 worker"
results >"$TEST_TMP/results-1"
# A repository without a tag is every tag it has.
check_equal "enqueue docker://HOST/busybox: every tag of the repository" \
  "$(jq '[.tags | keys[] | select(contains("/busybox:"))] | length' "$TEST_TMP/model.json") references recorded, 0 images queued" \
  "$("$PITH" fleet enqueue "docker://$REG/busybox" "${TLS[@]}")"
# Results of another analyzer version: queued again, and merged from the layers already
# analysed (their key has not changed): nothing read twice.
psql_at "UPDATE images SET analyzer = 0 WHERE manifest IN (SELECT manifest FROM refs WHERE reference LIKE '%/alpine:v1' OR reference LIKE '%/alpine:v2')"
check_equal "enqueue: images analysed by another analyzer queued again" "1 references recorded, 1 images queued" \
  "$("$PITH" fleet enqueue "docker://$REG/alpine:v1" "${TLS[@]}")"
check_equal "...and worked again without a layer read" "1 images done, 0 failures, 0 layers analysed" \
  "$("$PITH" fleet work "${TLS[@]}" | cut -d, -f1-3)"

# The tampered blob: refused with the digest named, recorded, its layer never published.
tampered_manifest=$(jq -r .tampered.manifest "$TEST_TMP/model.json")
check_equal "tampered image: failed" "failed" "$(psql_at "SELECT state FROM manifests WHERE digest = '$tampered_manifest'")"
error=$(psql_at "SELECT error FROM manifests WHERE digest = '$tampered_manifest'")
check "tampered image: the error names the blob's digest ($error)" \
  grep -q "$(jq -r .tampered.blob "$TEST_TMP/model.json")" <<<"$error"
check_equal "tampered layer: nothing published" "0" \
  "$(psql_at "SELECT count(*) FROM layers WHERE diff_id = '$(jq -r .tampered.diff_id "$TEST_TMP/model.json")'")"
check_equal "query --failed: the tampered image's references" \
  "$(jq -r '.tags | to_entries[] | select(.key | contains("/tampered:")) | "docker://\(.key)"' "$TEST_TMP/model.json" | LC_ALL=C sort)" \
  "$("$PITH" fleet query --failed | cut -f1)"

# ---------------------------------------------------------------------------------------
# 3. Every image's results = a single pith inspect / lint / sbom of it.
psql_at "SELECT DISTINCT ON (manifest) manifest, reference FROM refs WHERE manifest <> '$tampered_manifest' ORDER BY manifest, reference" >"$TEST_TMP/images"
mkdir -p "$TEST_TMP/single"
single_run() {  # MANIFEST REFERENCE: pith inspect and lint of the image by digest
  local digest=$1 ref=$2 repo
  repo=${ref%%[:@]*}
  repo=${ref%:*}
  repo=${repo%@*}
  "$PITH" inspect "docker://$repo@$digest" --tls-verify=false --json >"$TEST_TMP/single/$digest.inspect"
  "$PITH" lint "docker://$repo@$digest" --tls-verify=false --json --no-fail >"$TEST_TMP/single/$digest.lint"
}
export -f single_run
export TEST_TMP PITH
tr '|' ' ' <"$TEST_TMP/images" | xargs -P 2 -n 2 bash -c 'single_run "$0" "$1"'
mismatch=0
while IFS='|' read -r digest ref; do
  psql_at "SELECT inspect FROM images WHERE manifest = '$digest'" | jq -S . >"$TEST_TMP/stored.json"
  jq -S . "$TEST_TMP/single/$digest.inspect" >"$TEST_TMP/single.json"
  cmp -s "$TEST_TMP/stored.json" "$TEST_TMP/single.json" || { mismatch=$((mismatch + 1)); cp "$TEST_TMP/stored.json" "$TEST_TMP/mismatch.stored"; cp "$TEST_TMP/single.json" "$TEST_TMP/mismatch.single"; }
  psql_at "SELECT findings FROM images WHERE manifest = '$digest'" | jq -S . >"$TEST_TMP/stored.json"
  jq -S . "$TEST_TMP/single/$digest.lint" >"$TEST_TMP/single.json"
  cmp -s "$TEST_TMP/stored.json" "$TEST_TMP/single.json" || { mismatch=$((mismatch + 1)); cp "$TEST_TMP/stored.json" "$TEST_TMP/mismatch.stored"; cp "$TEST_TMP/single.json" "$TEST_TMP/mismatch.single"; }
done <"$TEST_TMP/images"
if [ "$mismatch" -eq 0 ]; then
  pass "every image's stored inspect and lint JSON = pith inspect / pith lint of it ($((IMAGES - 1)) images)"
else
  fail "stored results differ from single runs in $mismatch documents" "$(diff "$TEST_TMP/mismatch.single" "$TEST_TMP/mismatch.stored" | head -n 20)"
fi
# SBOMs for one image of each base (the slowest single runs).
for repo in debian alpine busybox; do
  digest=$(psql_at "SELECT manifest FROM refs WHERE reference = '$REG/$repo:v1'")
  "$PITH" sbom "docker://$REG/$repo@$digest" --tls-verify=false --format spdx-json >"$TEST_TMP/single.spdx"
  "$PITH" sbom "docker://$REG/$repo@$digest" --tls-verify=false --format cyclonedx-json >"$TEST_TMP/single.cdx"
  # (psql ends its answer with a newline of its own)
  check_same_files "$repo:v1: stored SPDX = pith sbom" "$TEST_TMP/single.spdx" <(psql_at "SELECT sbom_spdx FROM images WHERE manifest = '$digest'" | head -c -1)
  check_same_files "$repo:v1: stored CycloneDX = pith sbom" "$TEST_TMP/single.cdx" <(psql_at "SELECT sbom_cyclonedx FROM images WHERE manifest = '$digest'" | head -c -1)
done

# ---------------------------------------------------------------------------------------
# 4. The inventory questions, answered from the single runs' JSON.
# expected_refs JQ_FILTER_ON_FILE SUFFIX: the references of the images whose single-run JSON
# passes the filter (every tag of such an image), sorted.
expected_refs() {
  local digest ref
  psql_at "SELECT manifest, reference FROM refs WHERE manifest <> '$tampered_manifest'" |
    while IFS='|' read -r digest ref; do
      if jq -e "$1" "$TEST_TMP/single/$digest.$2" >/dev/null; then echo "docker://$ref"; fi
    done | LC_ALL=C sort
}
check_equal "query --package libc6 = images whose inspect lists it" \
  "$(expected_refs 'any(.packages[]; .name == "libc6")' inspect)" "$("$PITH" fleet query --package libc6 | LC_ALL=C sort)"
libc_version=$(jq -r '.packages[] | select(.name == "libc6") | .version' "$TEST_TMP/single/$(psql_at "SELECT manifest FROM refs WHERE reference = '$REG/debian:base'").inspect")
check_equal "query --package libc6@$libc_version" \
  "$(expected_refs "any(.packages[]; .name == \"libc6\" and .version == \"$libc_version\")" inspect)" \
  "$("$PITH" fleet query --package "libc6@$libc_version" | LC_ALL=C sort)"
check_equal "query --package libc6@0: none" "" "$("$PITH" fleet query --package libc6@0)"
check_equal "query --package busybox (apk) = images whose inspect lists it" \
  "$(expected_refs 'any(.packages[]; .name == "busybox")' inspect)" "$("$PITH" fleet query --package busybox | LC_ALL=C sort)"
check_equal "query --shells = images whose inspect shows a shell" \
  "$(expected_refs '.surface.shells | length > 0' inspect)" "$("$PITH" fleet query --shells | LC_ALL=C sort)"
check_equal "query --runtime-errors = images whose lint has a PL1xx error" \
  "$(expected_refs 'any(.findings[]; (.id | startswith("PL1")) and .severity == "error")' lint)" \
  "$("$PITH" fleet query --runtime-errors | LC_ALL=C sort)"
check "query --runtime-errors: the variants with a missing entrypoint among them" \
  grep -q "docker://$REG/debian:v4$" <("$PITH" fleet query --runtime-errors)
# sed, not head: head leaves after 3 lines, sort's next write then dies of SIGPIPE, and
# pipefail ends the script (seen in CI: 12 of 300 runs of this pipeline fail with head).
largest=$(for f in "$TEST_TMP"/single/*.inspect; do jq -r '[.size.compressed, .digest] | @tsv' "$f"; done | sort -k1,1nr -k2,2 | sed -n 1,3p)
check_equal "query --largest 3: the sizes and digests of the single runs' 3 largest" "$largest" \
  "$("$PITH" fleet query --largest 3 --json | jq -r 'map([.compressed_size, .manifest] | @tsv) | unique | .[]' | sort -k1,1nr -k2,2)"
check_equal "query --summary: references per repository" \
  "$(jq -r '.tags | keys[] | split("/")[1] | split(":")[0]' "$TEST_TMP/model.json" | sort | uniq -c | awk '{print $2, $1}')" \
  "$("$PITH" fleet query --summary --json | jq -r '.[] | "\(.repository | split("/")[1]) \(.references)"')"
check_equal "status --json: done and failed" "$((IMAGES - 1)) 1" \
  "$("$PITH" fleet status --json | jq -r '"\(.manifests.done) \(.manifests.failed)"')"

# ---------------------------------------------------------------------------------------
# 5. Two and four workers at once: the same results, still one analysis per layer.
for n in 2 4; do
  new_fleet "w$n"
  check "$n workers drain the queue" work_processes "$n"
  check_run "$n workers"
  check_same_files "$n workers: the same results as 1" "$TEST_TMP/results-1" <(results)
done

# ---------------------------------------------------------------------------------------
# 6. A worker killed with SIGKILL mid-run: its claims are taken back after the lease.
new_fleet killed
"$PITH" fleet work "${TLS[@]}" --max-attempts 2 --retry-after 1 --lease 5 >"$TEST_TMP/victim.out" 2>&1 &
victim=$!
# Frozen (SIGSTOP) at a moment it holds a claim, after ten images, then killed: no chance to
# give anything back.
held=0
for ((i = 0; i < 600; i++)); do
  if [ "$(psql_at "SELECT count(*) FROM manifests WHERE state = 'done'")" -ge 10 ]; then
    kill -STOP "$victim"
    held=$(psql_at "SELECT count(*) FROM manifests WHERE state = 'claimed'")
    [ "$held" -ge 1 ] && break
    kill -CONT "$victim"
  fi
  sleep 0.1
done
kill -KILL "$victim"
wait "$victim" 2>/dev/null || true
check "the killed worker held a claim ($held)" test "$held" -ge 1
ATTEMPTS=2
check "a second worker finishes, taking the claim back" work_processes 1 --lease 5 --retry-after 1
ATTEMPTS=1
check_equal "the tampered image: tried twice (--max-attempts 2), then failed for good" "failed 2" \
  "$(psql_at "SELECT state || ' ' || attempts FROM manifests WHERE digest = '$tampered_manifest'")"
check_run "after SIGKILL"
check_same_files "after SIGKILL: the same results as 1 worker" "$TEST_TMP/results-1" <(results)

# ---------------------------------------------------------------------------------------
# 7. Harbor's Pluggable Scanner API on the fleet's queue (scan → worker → SBOM report).
new_fleet harbor
HARBOR_PORT=$(free_port)
start_daemon serve "$PITH" fleet serve --listen "127.0.0.1:$HARBOR_PORT" "${TLS[@]}"
wait_port "$HARBOR_PORT" serve "$TEST_TMP/serve.log"
start_daemon worker "$PITH" fleet work --follow "${TLS[@]}"
digest=$(psql_at "SELECT manifest FROM refs WHERE reference = '$REG/alpine:v1'")
check "Harbor API: every answer has the OpenAPI document's shape" \
  "$PYTHON" "$FLEET_DIR/harbor_check.py" "http://127.0.0.1:$HARBOR_PORT" --timeout 120 \
  --registry "http://$REG" --repository alpine --digest "$digest" \
  --spec "$PITH_SRC/tests/data/harbor/scanner-adapter-openapi-v1.2.yaml"

# ---------------------------------------------------------------------------------------
# 8. --attach-sbom: each image's SBOM pushed back to its registry as a referrer, read here with
# skopeo and the registry's API (distribution 2.8 has no referrers API: the sha256-<hex> tag).
DB=$(fresh_database attach)
export PITH_FLEET_DB=$DB
"$PITH" fleet init >/dev/null
"$PITH" fleet enqueue "docker://$REG/busybox:v2" "${TLS[@]}" >/dev/null
check "work --attach-sbom spdx-json" "$PITH" fleet work "${TLS[@]}" --attach-sbom spdx-json
digest=$(psql_at "SELECT manifest FROM refs WHERE reference = '$REG/busybox:v2'")
referrer=$(skopeo inspect --raw --tls-verify=false "docker://$REG/busybox:sha256-${digest#sha256:}" |
  jq -r '.manifests[] | select(.artifactType == "application/spdx+json") | .digest')
blob=$(skopeo inspect --raw --tls-verify=false "docker://$REG/busybox@$referrer" | jq -r '.layers[0].digest')
check_same_files "the attached SPDX document = the stored one" \
  <(curl -sf "http://$REG/v2/busybox/blobs/$blob") \
  <(psql_at "SELECT sbom_spdx FROM images WHERE manifest = '$digest'" | head -c -1)
# The referrers tag is an index of artifacts, not an image: a catalog's crawl leaves it out.
check_equal "enqueue --catalog: the referrers tag left out" "$TAGS references recorded, $((IMAGES - 1)) images queued" \
  "$("$PITH" fleet enqueue --catalog "docker://$REG" "${TLS[@]}")"

# ---------------------------------------------------------------------------------------
# 9. The deployment files: the units verify (pith where the unit expects it), the manifests
# parse, and every pith command line in them is one pith accepts.
DEPLOY="$PITH_SRC/deploy/fleet"
if command -v systemd-analyze >/dev/null; then
  mkdir -p "$TEST_TMP/units"
  for unit in "$DEPLOY"/systemd/*.service "$DEPLOY"/systemd/*.timer; do
    sed "s|/usr/local/bin/pith|$PITH|g" "$unit" >"$TEST_TMP/units/$(basename "$unit")"
  done
  check "systemd units: systemd-analyze verify" systemd-analyze verify --man=no "$TEST_TMP"/units/*
else
  skip "systemd units" "systemd-analyze is not installed"
fi
"$PYTHON" - "$DEPLOY/kubernetes/fleet.yaml" >"$TEST_TMP/k8s-args" <<'PY'
import json, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
for d in docs:
    spec = d.get("spec", {})
    pod = (spec.get("jobTemplate", {}).get("spec", {}).get("template", {}) or spec.get("template", {})).get("spec", {})
    for c in pod.get("containers", []):
        print(json.dumps(c["args"]))
PY
check_equal "kubernetes: the containers of the init Job, workers, CronJob and adapter" 4 "$(wc -l <"$TEST_TMP/k8s-args")"
echo '{"auths": {}}' >"$TEST_TMP/auth.json"
while read -r args; do
  # Run for real against this test's registry and database, for a few seconds (the workers and
  # the adapter run until stopped): a flag pith does not know would stop it at once, exit 2.
  mapfile -t argv < <(jq -r --arg reg "docker://$REG" --arg auth "$TEST_TMP/auth.json" \
    --arg listen "127.0.0.1:$(free_port)" '.[] | sub("\\$\\(PITH_FLEET_TOKEN\\)"; "t") |
      sub("^docker://registry.example.com$"; $reg) | sub("^/etc/pith/auth.json$"; $auth) |
      sub("^:8080$"; $listen)' <<<"$args")
  extra=()
  if [ "${argv[1]}" = enqueue ] || [ "${argv[1]}" = work ]; then extra=(--tls-verify=false); fi
  rc=0
  timeout 4 "$PITH" "${argv[@]}" "${extra[@]}" --db "$DB" </dev/null >/dev/null 2>"$TEST_TMP/k8s.err" || rc=$?
  if { [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ]; } && ! grep -q "pith: error" "$TEST_TMP/k8s.err"; then
    pass "kubernetes: pith ${argv[*]} runs (exit $rc)"
  else
    fail "kubernetes: pith ${argv[*]}" "exit $rc" "$(cat "$TEST_TMP/k8s.err")"
  fi
done <"$TEST_TMP/k8s-args"

finish fleet
