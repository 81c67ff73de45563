// The apk database (Alpine, Wolfi): installed packages from lib/apk/db/installed (or
// usr/lib/apk/db/installed), a pure function over the bytes the caller read from a layer.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

#include "catalog/package.h"
#include "util/result.h"

namespace pith::catalog {

// Records are "K:value" lines separated by blank lines (apk-tools ends a record at any line
// shorter than two bytes). Used keys: P name, V version, A arch, L license (as written, e.g.
// "MIT BSD GPL2+"), o origin (→ source_package), I installed size in bytes, F a directory and
// R a file in the latest F (→ files, absolute; directories themselves are not listed), D and p
// (→ depends, provides; catalog/relations.h).
//
// A record without a version is dropped, as apk and trivy do; one with a line that is no
// "K:value", a repeated P or V, or a NUL byte is skipped. Both are reported in `warnings` (may
// be null). Input with no well-formed record at all and at least one malformed one is an Error.
// purl: pkg:apk/<os.id or "alpine">/<name>@<version>?arch=<arch>&distro=<id>-<version_id>.
// Hands each record to `visit` as written (a view into `bytes` from its first line through
// its last, without the final line end) with the 1-based line it starts on; records are split
// as parse_apk_installed splits them. Split its text with db_text-style line reading.
using ApkRecordVisitor = std::function<void(size_t line, std::string_view text)>;
void for_each_apk_record(std::string_view bytes, const ApkRecordVisitor& visit);

Result<std::vector<Package>> parse_apk_installed(std::string_view bytes, std::string_view location,
                                                 const OsContext& os,
                                                 std::vector<Warning>* warnings = nullptr);

}  // namespace pith::catalog
