// rpm header blobs into Packages: size checks of our own, then librpm's headerImport/headerGet.
#include "catalog/rpm_header.h"

#include <rpm/header.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmtd.h>

#include <memory>
#include <vector>

#include "catalog/rpm_bytes.h"

namespace pith::catalog {
namespace {

// rpm's own limits (header_internal.h): at most 64 Ki tags and 256 MiB of data per header.
constexpr uint64_t k_max_tags = 0xffff;
constexpr uint64_t k_max_data = 0x0fffffff;
constexpr uint64_t k_entry_size = 16;  // tag, type, offset, count: four big-endian int32

struct HeaderIntro {
  uint8_t index_length[4];
  uint8_t data_length[4];
};
static_assert(sizeof(HeaderIntro) == 8);

struct HeaderDeleter {
  void operator()(headerToken_s* h) const { headerFree(h); }
};
using HeaderPtr = std::unique_ptr<headerToken_s, HeaderDeleter>;

struct TagDataDeleter {
  void operator()(rpmtd td) const { rpmtdFree(td); }  // also frees the data it holds
};
using TagDataPtr = std::unique_ptr<rpmtd_s, TagDataDeleter>;

// The length the blob declares for itself (intro + index + data), checked against its size.
Result<uint64_t> declared_length(std::string_view blob) {
  using namespace rpm_bytes;
  auto intro = load_struct<HeaderIntro>(blob, 0);
  if (!intro) return make_error("header blob of " + std::to_string(blob.size()) + " bytes");
  uint64_t il = load32(intro->index_length, Order::big);
  uint64_t dl = load32(intro->data_length, Order::big);
  if (il == 0 || il > k_max_tags || dl > k_max_data) {
    return make_error("header declares " + std::to_string(il) + " tags and " + std::to_string(dl) +
                      " data bytes");
  }
  uint64_t length = sizeof(HeaderIntro) + il * k_entry_size + dl;  // cannot overflow (limits)
  if (length > blob.size()) {
    return make_error("header declares " + std::to_string(length) + " bytes, blob has " +
                      std::to_string(blob.size()));
  }
  return length;
}

std::string get_string(const HeaderPtr& h, rpmTagVal tag) {
  const char* s = headerGetString(h.get(), tag);
  return s ? std::string(s) : std::string();
}

// The values of a string-array tag; empty when absent or of another type.
std::vector<std::string> get_strings(const HeaderPtr& h, rpmTagVal tag) {
  std::vector<std::string> out;
  TagDataPtr td(rpmtdNew());
  if (!td || !headerGet(h.get(), tag, td.get(), HEADERGET_MINMEM)) return out;
  while (const char* s = rpmtdNextString(td.get())) out.emplace_back(s);
  return out;
}

std::vector<uint32_t> get_uint32s(const HeaderPtr& h, rpmTagVal tag) {
  std::vector<uint32_t> out;
  TagDataPtr td(rpmtdNew());
  if (!td || !headerGet(h.get(), tag, td.get(), HEADERGET_MINMEM)) return out;
  while (const uint32_t* v = rpmtdNextUint32(td.get())) out.push_back(*v);
  return out;
}

// Absolute paths from the compressed file list (BASENAMES + DIRNAMES + DIRINDEXES), or the
// pre-rpm-4 OLDFILENAMES. Inconsistent lists are an error rather than a partial answer.
Result<std::vector<std::string>> file_list(const HeaderPtr& h) {
  std::vector<std::string> base = get_strings(h, RPMTAG_BASENAMES);
  if (base.empty()) return get_strings(h, RPMTAG_OLDFILENAMES);
  std::vector<std::string> dirs = get_strings(h, RPMTAG_DIRNAMES);
  std::vector<uint32_t> index = get_uint32s(h, RPMTAG_DIRINDEXES);
  if (index.size() != base.size()) {
    return make_error(std::to_string(base.size()) + " file names but " +
                      std::to_string(index.size()) + " directory indexes");
  }
  std::vector<std::string> files;
  files.reserve(base.size());
  for (size_t i = 0; i < base.size(); ++i) {
    if (index[i] >= dirs.size()) {
      return make_error("directory index " + std::to_string(index[i]) + " of " +
                        std::to_string(dirs.size()) + " directories");
    }
    files.push_back(dirs[index[i]] + base[i]);
  }
  return files;
}

// purl-spec percent-encoding: everything but unreserved characters ('+' becomes %2B).
std::string purl_encode(std::string_view s) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-' || c == '_' || c == '~';
    if (unreserved) {
      out += char(c);
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string rpm_version(std::optional<uint64_t> epoch, std::string_view version,
                        std::string_view release) {
  std::string out;
  if (epoch) out = std::to_string(*epoch) + ":";
  out.append(version);
  if (!release.empty()) out.append("-").append(release);
  return out;
}

std::string rpm_purl(std::string_view name, std::optional<uint64_t> epoch, std::string_view version,
                     std::string_view release, std::string_view arch, const OsContext& os) {
  std::string out = "pkg:rpm/";
  if (!os.id.empty()) out += purl_encode(os.id == "rhel" ? "redhat" : os.id) + "/";
  out += purl_encode(name) + "@" + purl_encode(rpm_version(std::nullopt, version, release));
  std::vector<std::string> qualifiers;
  if (!arch.empty()) qualifiers.push_back("arch=" + purl_encode(arch));
  if (epoch) qualifiers.push_back("epoch=" + std::to_string(*epoch));
  if (!os.id.empty()) {
    std::string distro = os.id;
    if (!os.version_id.empty()) distro += "-" + os.version_id;
    qualifiers.push_back("distro=" + purl_encode(distro));
  }
  for (size_t i = 0; i < qualifiers.size(); ++i) out += (i == 0 ? "?" : "&") + qualifiers[i];
  return out;
}

Result<Package> parse_rpm_header(std::string_view blob, std::string_view location,
                                 const OsContext& os, std::vector<Warning>* warnings) {
  uint64_t length = TRY(declared_length(blob));
  // HEADERIMPORT_COPY: librpm copies the bytes and never takes ownership of our buffer;
  // headerImport itself verifies every index entry against the data area.
  HeaderPtr h(headerImport(const_cast<char*>(blob.data()), unsigned(length), HEADERIMPORT_COPY));
  if (!h) return make_error("librpm rejects the header blob");

  Package p;
  p.type = PackageType::rpm;
  p.name = get_string(h, RPMTAG_NAME);
  if (p.name.empty()) return make_error("header without a package name");
  std::string version = get_string(h, RPMTAG_VERSION);
  std::string release = get_string(h, RPMTAG_RELEASE);
  std::optional<uint64_t> epoch;
  if (headerIsEntry(h.get(), RPMTAG_EPOCH)) epoch = headerGetNumber(h.get(), RPMTAG_EPOCH);
  p.arch = get_string(h, RPMTAG_ARCH);
  p.version = rpm_version(epoch, version, release);
  p.purl = rpm_purl(p.name, epoch, version, release, p.arch, os);
  p.source_package = get_string(h, RPMTAG_SOURCERPM);
  p.license = get_string(h, RPMTAG_LICENSE);
  p.installed_size = headerIsEntry(h.get(), RPMTAG_LONGSIZE)
                         ? headerGetNumber(h.get(), RPMTAG_LONGSIZE)
                         : headerGetNumber(h.get(), RPMTAG_SIZE);
  p.location = std::string(location);
  // rpmlib(...) requirements name rpm's own features, not packages.
  for (auto& name : get_strings(h, RPMTAG_REQUIRENAME))
    if (!name.starts_with("rpmlib(")) p.depends.push_back({std::move(name)});
  p.provides = get_strings(h, RPMTAG_PROVIDENAME);
  auto files = file_list(h);
  if (files) {
    p.files = std::move(files).value();
  } else if (warnings) {
    warnings->push_back(
        Warning{p.location, p.name + ": file list dropped: " + files.error().message});
  }
  return p;
}

}  // namespace pith::catalog
