// The rpm cataloger: installed packages from an rpm database (SQLite rpmdb.sqlite,
// BerkeleyDB Packages, NDB Packages.db) handed over as bytes in memory.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/package.h"
#include "util/result.h"

namespace pith::catalog {

enum class RpmdbFormat { sqlite, berkeley_db, ndb };

// Recognises the database by its magic bytes, never by its file name.
std::optional<RpmdbFormat> detect_rpmdb_format(std::string_view bytes);

// Lists the installed packages as `rpm -qa` does, gpg-pubkey pseudo-packages included (rpm
// lists them too); sqlite and NDB in rpm's order, BerkeleyDB in page order (rpm walks hash
// buckets). A package whose header blob is damaged is skipped with a Warning (warnings may be
// null); a file that is not an rpm database, or whose structure cannot be read, is an Error.
Result<std::vector<Package>> parse_rpmdb(std::string_view bytes, std::string_view location,
                                         const OsContext& os, std::vector<Warning>* warnings);

// The per-format readers below hand every stored header blob to `visit` (the view lives
// only during the call) and report damaged entries through `warn`, then go on.
using RpmBlobVisitor = std::function<void(std::string_view blob)>;
using RpmWarn = std::function<void(std::string message)>;

// rpm >= 4.16: table Packages(hnum, blob), read in hnum order from an in-memory copy.
Result<void> read_rpmdb_sqlite(std::string_view bytes, const RpmBlobVisitor& visit,
                               const RpmWarn& warn);
// rpm < 4.16: BerkeleyDB hash database, either byte order; values are the header blobs.
Result<void> read_rpmdb_bdb(std::string_view bytes, const RpmBlobVisitor& visit,
                            const RpmWarn& warn);
// A new rpm SQLite database (rpm >= 4.16's schema, as `rpm --initdb` creates it, so rpm can
// open it read-only) holding the packages of `source` (any of the three formats) whose header
// blob `keep` accepts. From an sqlite source the packages keep their hnum and their rows of
// the index tables (Name, Basenames, Providename, ...), so `rpm -q NAME` finds them too; from
// the other formats the index tables stay empty (`rpm -qa` lists the packages all the same).
// Returns the database file's bytes.
using RpmKeep = std::function<bool(std::string_view blob)>;
Result<std::string> write_rpmdb_sqlite_subset(std::string_view source, const RpmKeep& keep,
                                              const RpmWarn& warn);

// SUSE's rpm "ndb" backend (Packages.db): slot pages pointing at checksummed blobs.
Result<void> read_rpmdb_ndb(std::string_view bytes, const RpmBlobVisitor& visit,
                            const RpmWarn& warn);

}  // namespace pith::catalog
