// `pith sbom`: SPDX 2.3 and CycloneDX 1.6 JSON documents of one image, written from the same
// single pass over the layers that `pith inspect` makes (report::analyze_image), with what an
// SBOM needs beside inspect's model: licences, the sha256 of the files packages own, and the
// dependencies the package databases state. Same image and SOURCE_DATE_EPOCH, same bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report/model.h"
#include "transport/resolve.h"
#include "transport/source.h"
#include "util/result.h"

namespace pith::sbom {

enum class Format { spdx_json, cyclonedx_json };

Result<Format> parse_format(std::string_view name);  // "spdx-json" | "cyclonedx-json"
std::string_view format_name(Format f);              // the inverse
// "application/spdx+json", "application/vnd.cyclonedx+json"
constexpr std::string_view media_type(Format f) {
  return f == Format::spdx_json ? "application/spdx+json" : "application/vnd.cyclonedx+json";
}
std::string_view file_suffix(Format f);  // ".spdx.json", ".cdx.json"

// A file a package owns, as the final tree shows it.
struct OwnedFile {
  std::string path;    // absolute, as the package database lists it
  std::string sha256;  // lower-case hex; "" when not hashed (not regular, absent, too large)
};

// What the SBOM says of one package beyond report::PackageReport (same index).
struct PackageExtra {
  // Licence as declared: the database's field (apk L:, rpm License) or the Debian copyright
  // file's License: names (DEP-5), joined with " AND "; "" when none is known.
  std::string license;
  std::vector<OwnedFile> files;    // sorted by path; empty unless MeasureOptions::file_hashes
  std::vector<size_t> depends_on;  // indexes into report.packages, sorted, unique
};

struct SbomInput {
  report::InspectReport report;
  std::vector<PackageExtra> packages;  // parallel to report.packages
  // Seconds since 1970 the documents carry as their creation time: SOURCE_DATE_EPOCH, else
  // the image config's `created`, else 0.
  int64_t created = 0;
};

enum class FileHashes { no, yes };

struct MeasureOptions {
  FileHashes file_hashes = FileHashes::yes;
  // SOURCE_DATE_EPOCH as the caller read it (source_date_epoch() below); nullopt: unset.
  std::optional<int64_t> source_date_epoch;
  unsigned threads = 0;  // 0: one per core
  // As report::AnalyzeOptions::on_layer_done (layers done, layers, bytes so far).
  std::function<void(size_t, size_t, uint64_t)> on_layer_done;
};

// The pass of `pith inspect` with sbom's captures beside it (copyright files, dpkg file lists,
// and with file_hashes the sha256 of every regular file), then licences, owned files and
// dependencies resolved against the installed packages.
Result<SbomInput> measure(transport::ImageSource& src, const transport::ResolvedImage& img,
                          const MeasureOptions& options = {});

// SOURCE_DATE_EPOCH from the environment: nullopt when unset or empty, an error when it is not
// a number of seconds.
Result<std::optional<int64_t>> source_date_epoch();

// The SBOM of one measured image.
Result<std::string> render(const SbomInput& in, Format f);

}  // namespace pith::sbom
