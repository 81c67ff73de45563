// dpkg package metadata the distroless way: /var/lib/dpkg/status.d/<name> holding the
// package's stanza and <name>.md5sums holding its md5sums lines of the included files, for
// each installed package (root's /var/lib/dpkg/status) whose info/<pkg>.list names one.
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "build/dpkg_list_index.h"
#include "build/package_metadata_parts.h"
#include "catalog/dpkg.h"

namespace pith::build::detail {
namespace {

constexpr const char* k_status = "/var/lib/dpkg/status";
constexpr const char* k_info = "/var/lib/dpkg/info/";
constexpr const char* k_status_d = "/var/lib/dpkg/status.d/";
// A real status file is a few MB; info files far less. More is garbage.
constexpr uint64_t k_status_limit = 256 << 20;
constexpr uint64_t k_info_limit = 64 << 20;

// deb822 field names are case-insensitive.
bool field_is(std::string_view field, std::string_view name) {
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
  return field.size() == name.size() &&
         std::equal(field.begin(), field.end(), name.begin(),
                    [&](char a, char b) { return lower(a) == lower(b); });
}

// dpkg's record of its own work on the machine, not part of the package: distroless stanzas
// come from the .deb's control file, which has none of these.
bool is_dpkg_state(std::string_view field) {
  return field_is(field, "Status") || field_is(field, "Config-Version") ||
         field_is(field, "Triggers-Pending") || field_is(field, "Triggers-Awaited");
}

// True when a line of a .list names a file the image includes. Most packages own none of its
// files, and for them the full parse (which sorts the list to find its directories, a third of
// a small build's time on a desktop's 900 packages) is skipped: it could only drop paths.
bool lists_an_included_file(std::string_view list, PathMatcher& matcher) {
  while (!list.empty()) {
    size_t end = list.find('\n');
    std::string_view line = list.substr(0, end);
    list = end == std::string_view::npos ? std::string_view() : list.substr(end + 1);
    while (line.ends_with('/')) line.remove_suffix(1);
    if (matcher.included(line)) return true;
  }
  return false;
}

// dpkg's info directory, listed and opened once: each of its files is then read with one
// openat, not a walk from the root (a lookup per component), and a name it does not hold is
// not looked for at all. Reading a desktop's 900 lists through the root was a quarter of a
// small build. Anything unusual there (a symlink, not a regular file, an error) is read
// through the root as before, which follows it confined or says what is wrong.
class InfoDir {
 public:
  // `list`: whether to list the directory, worth it when every package's files are read; a
  // build through the list index reads a few, and a name missing costs one failed openat.
  InfoDir(const RootDir& root, std::vector<catalog::Warning>& warnings, bool list)
      : m_root(root), m_warnings(warnings) {
    if (list) {
      if (auto names = root.list(k_info)) m_names.emplace(names->begin(), names->end());
    }
    if (auto fd = root.open_dir(k_info, RootDir::Create::no)) m_fd = std::move(*fd);
  }

  // The file's bytes; nullopt when the directory does not hold it (or it cannot be read: a
  // warning then).
  std::optional<std::string> read(const std::string& name) {
    if (m_names && !m_names->contains(name)) return std::nullopt;
    if (m_fd) {
      UniqueFd fd(
          ::openat(m_fd.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
      struct stat st {};
      if (fd && ::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode) &&
          static_cast<uint64_t>(st.st_size) <= k_info_limit) {
        if (auto bytes = pread_exact(fd.get(), 0, static_cast<uint64_t>(st.st_size))) return *bytes;
      }
    }
    return read_database(m_root, k_info + name, k_info_limit, m_warnings);
  }

 private:
  const RootDir& m_root;
  std::vector<catalog::Warning>& m_warnings;
  std::optional<std::set<std::string, std::less<>>> m_names;
  UniqueFd m_fd;  // O_PATH: openat through it still works
};

// Conffiles lines (" <path> <md5> [flag]", after an empty first line) of included files only.
std::string cut_conffiles(std::string_view value, PathMatcher& matcher) {
  std::string kept;
  while (!value.empty()) {
    size_t end = value.find('\n');
    std::string_view line = value.substr(0, end);
    value = end == std::string_view::npos ? std::string_view{} : value.substr(end + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    size_t begin = line.find_first_not_of(" \t");
    if (begin == std::string_view::npos) continue;
    std::string_view entry = line.substr(begin);
    std::string_view path = entry.substr(0, entry.find_first_of(" \t"));
    if (!matcher.included(path)) continue;
    kept += '\n';
    kept += line;
  }
  return kept;
}

// The stanza as status.d holds it: the status file's fields in their order, without dpkg's
// state, Conffiles cut to the included files.
std::string status_d_stanza(const catalog::DpkgStanza& stanza, PathMatcher& matcher) {
  std::string text;
  for (const catalog::DpkgStanza::Field& f : stanza.fields) {
    if (is_dpkg_state(f.name)) continue;
    std::string value = f.value;
    if (field_is(f.name, "Conffiles")) {
      value = cut_conffiles(f.value, matcher);
      if (value.empty()) continue;
    }
    text += f.name;
    text += ':';
    // A value that starts on the next line (Conffiles, Description of some generators) keeps
    // its empty first line; others get the customary space.
    if (!value.empty() && value.front() != '\n' && value.front() != '\r') text += ' ';
    text += value;
    text += '\n';
  }
  return text;
}

// Several installed architectures of one package share its status.d file, stanza after
// stanza, as a status file would hold them.
struct StatusD {
  std::string stanzas;
  std::string md5sums;
};

}  // namespace

void add_dpkg_metadata(const RootDir& root, PathMatcher& matcher, const std::string& cache_dir,
                       PackageMetadata& out) {
  auto bytes = read_database(root, k_status, k_status_limit, out.warnings);
  if (!bytes) return;

  // With an index of the lists made for the database as it is now, only the lists naming a
  // file of an included file's name are read, and only their packages' stanzas made into
  // packages (warnings about the others' stanzas are not given then); without, every list is
  // read and the index made.
  const std::optional<std::string> index_key =
      cache_dir.empty() ? std::nullopt : DpkgListIndex::key_of(root);
  const std::string index_file = index_key ? dpkg_list_index_file(cache_dir, root) : "";
  const std::optional<DpkgListIndex> index =
      index_key ? DpkgListIndex::load(index_file, *index_key) : std::nullopt;
  const std::set<std::string> candidates =
      index ? index->lists_naming(matcher.names()) : std::set<std::string>{};
  catalog::StanzaFilter wanted;
  if (index) {
    wanted = [&](std::string_view package, std::string_view arch) {
      for (const std::string& k : catalog::dpkg_file_list_keys(package, arch))
        if (candidates.contains(k)) return true;
      return false;
    };
  }

  // A file that is no status file at all gets one warning, not one per line of garbage.
  std::vector<catalog::Warning> warnings;
  auto stanzas = catalog::parse_dpkg_status_stanzas(*bytes, k_status, {}, &warnings, wanted);
  if (!stanzas) {
    out.warnings.push_back({k_status, stanzas.error().message});
    return;
  }
  out.warnings.insert(out.warnings.end(), warnings.begin(), warnings.end());
  InfoDir info(root, out.warnings, !index);
  DpkgListIndex fresh;
  bool every_list_read = true;  // else the fresh index would miss a list: not saved

  std::map<std::string, StatusD> by_name;
  for (const catalog::DpkgStanza& stanza : *stanzas) {
    // The files a package owns are those of its .list (what `dpkg -S` reads).
    std::optional<std::string> list;
    std::string key;
    for (const std::string& k : catalog::dpkg_file_list_keys(stanza.package)) {
      if (index) {
        if (!index->has_list(k)) continue;
        key = k;
        if (candidates.contains(k)) list = info.read(k + ".list");
        break;
      }
      const size_t warned = out.warnings.size();
      list = info.read(k + ".list");
      if (out.warnings.size() != warned) every_list_read = false;
      if (list) {
        key = k;
        if (index_key) fresh.add(k, *list);
        break;
      }
    }
    if (!list || !lists_an_included_file(*list, matcher)) continue;
    std::vector<std::string> owned = matcher.owned(catalog::parse_dpkg_file_list(*list));
    if (owned.empty()) continue;

    StatusD& entry = by_name[stanza.package.name];
    if (!entry.stanzas.empty()) entry.stanzas += '\n';
    entry.stanzas += status_d_stanza(stanza, matcher);
    // md5sums lines keep dpkg's spelling of the path (relative, maybe pre-merge /lib).
    std::string md5_path = k_info + key + ".md5sums";
    if (auto md5sums = info.read(key + ".md5sums")) {
      for (const catalog::DpkgMd5sumsLine& line :
           catalog::parse_dpkg_md5sums_lines(*md5sums, md5_path, &out.warnings)) {
        if (matcher.included(line.path)) {
          entry.md5sums += line.line;
          entry.md5sums += '\n';
        }
      }
    }

    catalog::Package p = stanza.package;
    p.location = k_status_d + p.name;
    p.files = std::move(owned);
    out.packages.push_back(std::move(p));
  }

  // A cache that cannot be written (read-only, full) only means the next build reads every list.
  if (index_key && !index && every_list_read) (void)fresh.save(index_file, *index_key);

  // Package names are safe file names: dpkg's syntax, checked by the parser, has no '/'.
  for (auto& [name, entry] : by_name) {
    out.files.push_back({k_status_d + name, std::move(entry.stanzas)});
    if (!entry.md5sums.empty()) {
      out.files.push_back({k_status_d + name + ".md5sums", std::move(entry.md5sums)});
    }
  }
}

}  // namespace pith::build::detail
