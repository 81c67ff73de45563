// Python core metadata (PEP 241/314/345/566/643/639): RFC 822 style headers, read up to the
// first blank line; continuation lines start with whitespace.
#include "catalog/python.h"

#include <vector>

namespace pith::catalog {
namespace {

constexpr size_t k_max_header_bytes = 1024 * 1024;  // headers of real files are a few KB
constexpr size_t k_max_license_line = 200;          // longer "License:" values are license texts

struct Header {
  std::string name;  // lowercased
  std::string value;
};

std::vector<Header> read_headers(std::string_view text) {
  std::vector<Header> out;
  text = text.substr(0, k_max_header_bytes);
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (trim_space(line).empty()) break;  // the body (description) follows
    if ((line[0] == ' ' || line[0] == '\t')) {
      if (!out.empty()) out.back().value += "\n" + std::string(trim_space(line));
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // not a header; tolerated as pip does
    out.push_back({ascii_lower(trim_space(line.substr(0, colon))),
                   std::string(trim_space(line.substr(colon + 1)))});
  }
  return out;
}

std::string choose_license(const std::vector<Header>& headers) {
  std::string license;
  std::vector<std::string> classifiers;
  for (const Header& h : headers) {
    if (h.name == "license-expression" && !h.value.empty()) return h.value;
    if (h.name == "license" && license.empty()) license = h.value;
    if (h.name == "classifier" && h.value.starts_with("License ::")) {
      std::string_view v = h.value;
      size_t sep = v.rfind("::");
      std::string last(trim_space(v.substr(sep + 2)));
      // "License :: OSI Approved" alone says nothing about which license.
      if (!last.empty() && last != "OSI Approved") classifiers.push_back(last);
    }
  }
  bool one_line = license.find('\n') == std::string::npos && license.size() <= k_max_license_line;
  if (!license.empty() && one_line && license != "UNKNOWN") return license;
  std::string joined;
  for (const std::string& c : classifiers) joined += (joined.empty() ? "" : ", ") + c;
  return joined;
}

}  // namespace

std::string pypi_purl_name(std::string_view name) {
  std::string out = ascii_lower(name);
  for (char& c : out)
    if (c == '_') c = '-';
  return out;
}

Result<Findings> parse_python_metadata(std::string_view bytes, std::string_view location) {
  std::vector<Header> headers = read_headers(bytes);
  Package p;
  p.type = PackageType::pypi;
  for (const Header& h : headers) {
    if (h.name == "name" && p.name.empty()) p.name = h.value;
    if (h.name == "version" && p.version.empty()) p.version = h.value;
  }
  if (p.name.empty()) return make_error("python metadata without Name");
  if (p.version.empty()) return make_error("python metadata without Version");
  p.license = choose_license(headers);
  p.purl = make_purl("pypi", "", pypi_purl_name(p.name), p.version);
  p.location = std::string(location);
  Findings out;
  out.packages.push_back(std::move(p));
  return out;
}

bool looks_like_python_metadata(std::string_view path, std::string_view /*first_bytes*/) {
  std::string_view dir =
      path.substr(0, path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/'));
  std::string_view file = base_name(path);
  if (file == "METADATA") return dir.ends_with(".dist-info");
  if (file == "PKG-INFO") return dir.ends_with(".egg-info");
  // distutils and old setuptools install the metadata as a single file named *.egg-info.
  return file.ends_with(".egg-info");
}

}  // namespace pith::catalog
