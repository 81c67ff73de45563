#include "fleet/schema.h"

#include <array>
#include <string_view>

namespace pith::fleet {

namespace {

// Migration N takes the schema from version N-1 to N. Never edit one that has shipped: add the
// next. Each runs in one transaction with the version row it writes.
constexpr std::array<std::string_view, 1> k_migrations = {
    // 1: the work queue, the references that name its images, the layer index, the results.
    R"sql(
CREATE TABLE manifests (
  digest text PRIMARY KEY,            -- the image manifest (a platform's, when a tag names an index)
  source text NOT NULL,               -- docker://HOST/REPO@DIGEST: where a worker reads it
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'claimed', 'done', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  ready_at timestamptz NOT NULL DEFAULT now(),  -- not claimed before (a retry's backoff)
  worker text,                        -- who holds the claim
  lease_until timestamptz,            -- the claim is taken back after this
  claimed_at timestamptz,
  finished_at timestamptz,
  error text,                         -- the last failure
  registry_auth text,                 -- an Authorization header to read it with (Harbor's), dropped when done
  queued_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX manifests_ready ON manifests (ready_at) WHERE state = 'queued';
CREATE INDEX manifests_leases ON manifests (lease_until) WHERE state = 'claimed';

CREATE TABLE refs (
  reference text PRIMARY KEY,         -- HOST/REPO:TAG or HOST/REPO@DIGEST as enqueued
  repository text NOT NULL,           -- HOST/REPO
  manifest text NOT NULL REFERENCES manifests (digest),
  seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refs_manifest ON refs (manifest);
CREATE INDEX refs_repository ON refs (repository);

CREATE TABLE layers (
  diff_id text NOT NULL,
  analyzer integer NOT NULL,          -- fleet::k_analyzer_version of the analysis
  state text NOT NULL CHECK (state IN ('analyzing', 'done')),
  worker text,
  lease_until timestamptz,
  analysis bytea,                     -- fleet::encode(LayerAnalysis)
  analyses integer NOT NULL DEFAULT 0,  -- analyses published (1 unless a claim was taken back)
  analyzed_at timestamptz,
  PRIMARY KEY (diff_id, analyzer)
);
CREATE INDEX layers_leases ON layers (lease_until) WHERE state = 'analyzing';

CREATE TABLE images (
  manifest text PRIMARY KEY REFERENCES manifests (digest) ON DELETE CASCADE,
  analyzer integer NOT NULL,
  os text NOT NULL,                   -- os-release's PRETTY_NAME, "" when none
  platform text NOT NULL,
  compressed_size bigint NOT NULL,
  uncompressed_size bigint NOT NULL,
  content_size bigint NOT NULL,
  files bigint NOT NULL,
  packages integer NOT NULL,
  shells integer NOT NULL,
  runtime_errors integer NOT NULL,    -- lint's run-time findings of severity error
  inspect text NOT NULL,              -- pith inspect --json
  findings text NOT NULL,             -- pith lint --json
  sbom_spdx text NOT NULL,            -- pith sbom --format spdx-json
  sbom_cyclonedx text NOT NULL,       -- pith sbom --format cyclonedx-json
  analyzed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE image_packages (
  manifest text NOT NULL REFERENCES images (manifest) ON DELETE CASCADE,
  type text NOT NULL,
  name text NOT NULL,
  version text NOT NULL,
  purl text NOT NULL
);
CREATE INDEX image_packages_name ON image_packages (name, version);
CREATE INDEX image_packages_manifest ON image_packages (manifest);

CREATE TABLE scans (                  -- Harbor's scan requests (fleet serve)
  id text PRIMARY KEY,
  manifest text NOT NULL REFERENCES manifests (digest),
  artifact text NOT NULL,             -- the request's artifact, as JSON
  submitted_at timestamptz NOT NULL DEFAULT now()
);
)sql",
};

// One number for every pith that shares the database: pg_advisory_xact_lock's key.
constexpr long long k_migration_lock = 0x7069746866;  // "pithf"

Result<int> current_version(Db& db) {
  auto rows = TRY(db.exec("SELECT coalesce(max(version), 0) FROM pith_fleet_schema"));
  return static_cast<int>(rows.integer(0, 0));
}

}  // namespace

int schema_version() {
  return static_cast<int>(k_migrations.size());
}

Result<Migrated> migrate(Db& db) {
  Migrated out;
  out.from = -1;
  for (;;) {
    auto step = db.transaction([&]() -> Result<bool> {
      // Two pith processes creating the same table at once would collide in the catalog.
      TRY(db.exec("SELECT pg_advisory_xact_lock($1)", {Param(k_migration_lock)}));
      TRY(
          db.exec("CREATE TABLE IF NOT EXISTS pith_fleet_schema (version integer PRIMARY KEY, "
                  "applied_at timestamptz NOT NULL DEFAULT now())"));
      int have = TRY(current_version(db));
      if (out.from < 0) out.from = have;
      out.to = have;
      if (have > schema_version())
        return make_error("the database's fleet schema is version " + std::to_string(have) +
                          ", newer than this pith's " + std::to_string(schema_version()) +
                          ": use a newer pith");
      if (have == schema_version()) return false;
      TRY(db.exec(k_migrations[static_cast<size_t>(have)])
              .wrap("migration " + std::to_string(have + 1)));
      TRY(db.exec("INSERT INTO pith_fleet_schema (version) VALUES ($1)", {Param(have + 1)}));
      out.to = have + 1;
      return true;
    });
    bool applied = TRY(std::move(step));
    if (!applied) return out;
  }
}

Result<void> check_schema(Db& db) {
  auto exists = TRY(db.exec("SELECT to_regclass('pith_fleet_schema') IS NOT NULL"));
  int have = exists.text(0, 0) == "t" ? TRY(current_version(db)) : 0;
  if (have == schema_version()) return {};
  if (have < schema_version())
    return make_error("the database has no fleet schema at version " +
                      std::to_string(schema_version()) + " (it has " + std::to_string(have) +
                      "): run `pith fleet init --db URL` first");
  return make_error("the database's fleet schema is version " + std::to_string(have) +
                    ", newer than this pith's " + std::to_string(schema_version()) +
                    ": use a newer pith");
}

}  // namespace pith::fleet
