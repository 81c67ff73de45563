// The dpkg database (Debian, Ubuntu, distroless): installed packages from var/lib/dpkg/status
// or the distroless var/lib/dpkg/status.d/<name> files, and the files each package owns from
// info/<pkg>[:arch].list and *.md5sums. Pure functions over bytes the caller read from layers,
// which it finds one file at a time: parse each, then join the file lists with
// attach_dpkg_file_lists.
//
// Errors and warnings: a malformed or unusable stanza (bad syntax, no Package or Version, a
// version dpkg's syntax rejects) is skipped and reported in `warnings` (may be null). Only
// input with no well-formed stanza at all and at least one malformed one is an Error.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "catalog/package.h"
#include "util/result.h"

namespace pith::catalog {

// var/lib/dpkg/status: the installed packages (Status "<want> <flag> installed"); packages
// removed with their config files kept, half-installed ones etc. are left out silently.
// `location` is recorded in Package.location. Package.files gets the Conffiles paths.
Result<std::vector<Package>> parse_dpkg_status(std::string_view bytes, std::string_view location,
                                               const OsContext& os,
                                               std::vector<Warning>* warnings = nullptr);

// Whether a file name in var/lib/dpkg/status.d/ is one of the control files distroless keeps
// beside a package's stanza ("<name>.md5sums", "<name>.preinst", "<name>.postinst", ...:
// file lists and maintainer scripts, not packages).
bool is_dpkg_status_d_control_file(std::string_view name);

// var/lib/dpkg/status.d/<name> (distroless): as parse_dpkg_status, except that a stanza
// without a Status field counts as installed (distroless writes none).
Result<std::vector<Package>> parse_dpkg_status_d(std::string_view bytes, std::string_view location,
                                                 const OsContext& os,
                                                 std::vector<Warning>* warnings = nullptr);

// An installed package of a status file with its stanza's fields as written, for writers that
// copy stanzas (pith build's distroless status.d files).
struct DpkgStanza {
  struct Field {
    std::string name;
    // As control::Field::value: continuation lines included with their line ends, leading
    // blanks of the first line removed, no final line end.
    std::string value;
  };
  Package package;
  std::vector<Field> fields;  // in file order
};

// Whether a stanza is wanted, by its Package and Architecture fields as written ("" when
// absent): the others are not made into packages (nor warned about).
using StanzaFilter = std::function<bool(std::string_view package, std::string_view arch)>;

// As parse_dpkg_status, keeping each package's fields; with `wanted`, of those stanzas only (a
// build that needs a few packages of ~900 skips the others' fields and dependencies).
Result<std::vector<DpkgStanza>> parse_dpkg_status_stanzas(std::string_view bytes,
                                                          std::string_view location,
                                                          const OsContext& os,
                                                          std::vector<Warning>* warnings = nullptr,
                                                          const StanzaFilter& wanted = {});

// A file of the dpkg database that lists the files of one package.
enum class DpkgFileListKind { list, md5sums };
struct DpkgFileListRef {
  std::string key;  // "<pkg>" or "<pkg>:<arch>", the file name without its suffix
  DpkgFileListKind kind = DpkgFileListKind::list;
};

// Recognizes .../dpkg/info/<key>.list, .../dpkg/info/<key>.md5sums and
// .../dpkg/status.d/<key>.md5sums (with or without a leading "/" or "./"); nullopt otherwise.
std::optional<DpkgFileListRef> dpkg_file_list_ref(std::string_view path);

// info/<key>.list: the absolute paths, minus "/." and minus directories (entries that are the
// parent of another entry; dpkg lists a package's directories with its files).
std::vector<std::string> parse_dpkg_file_list(std::string_view bytes);

// <key>.md5sums: "<md5>  <path relative to />" lines, returned as absolute paths. Lines that
// are not "<hex digest> <path>" are skipped and reported.
std::vector<std::string> parse_dpkg_md5sums(std::string_view bytes, std::string_view location,
                                            std::vector<Warning>* warnings = nullptr);

// One line of a <key>.md5sums file: the absolute path it names and the line as written (no
// line end), for writers that copy lines.
struct DpkgMd5sumsLine {
  std::string path;
  std::string_view line;
};
// As parse_dpkg_md5sums, keeping the lines; views into `bytes`.
std::vector<DpkgMd5sumsLine> parse_dpkg_md5sums_lines(std::string_view bytes,
                                                      std::string_view location,
                                                      std::vector<Warning>* warnings = nullptr);

// The keys a package's lists may be filed under, most specific first: "libc6:amd64" (dpkg
// names Multi-Arch: same packages so), then "libc6".
std::vector<std::string> dpkg_file_list_keys(const Package& p);
std::vector<std::string> dpkg_file_list_keys(std::string_view name, std::string_view arch);

// Adds to a deb package the files of the first of its keys found in `lists_by_key` (one list
// per key: the caller picks between a .list and a .md5sums). Paths the package has already
// (its Conffiles) are not repeated. Other packages are left as they are.
void attach_dpkg_file_lists(
    Package& package,
    const std::unordered_map<std::string, std::vector<std::string>>& lists_by_key);
// The same over lists the caller keeps elsewhere (the pass's, parsed per layer): no copy.
void attach_dpkg_file_lists(
    Package& package,
    const std::unordered_map<std::string, const std::vector<std::string>*>& lists_by_key);

}  // namespace pith::catalog
