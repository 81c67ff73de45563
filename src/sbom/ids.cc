// Deterministic identifiers of SBOM documents and their elements.
#include "sbom/ids.h"

#include <openssl/evp.h>

#include <array>

#include <cctype>
#include "transport/reference.h"

namespace pith::sbom {
namespace {

constexpr char k_hex[] = "0123456789abcdef";

std::array<unsigned char, 20> sha1(std::string_view a, std::string_view b) {
  std::array<unsigned char, 20> out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned int len = 0;
  EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr);
  EVP_DigestUpdate(ctx, a.data(), a.size());
  EVP_DigestUpdate(ctx, b.data(), b.size());
  EVP_DigestFinal_ex(ctx, out.data(), &len);
  EVP_MD_CTX_free(ctx);
  return out;
}

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// purl-spec percent-encoding of a component: everything but unreserved characters.
std::string purl_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    bool unreserved = (c >= 'A' && c <= 'Z') || is_lower_alnum(char(c)) || c == '.' || c == '-' ||
                      c == '_' || c == '~';
    if (unreserved) {
      out += char(c);
    } else {
      out += '%';
      out += char(std::toupper(k_hex[c >> 4]));
      out += char(std::toupper(k_hex[c & 15]));
    }
  }
  return out;
}

// The last path component of `s` without ":tag", "@digest" and a ".tar"-like suffix.
std::string short_name(std::string_view s) {
  while (s.ends_with('/')) s.remove_suffix(1);
  if (size_t at = s.find('@'); at != std::string_view::npos) s = s.substr(0, at);
  if (size_t slash = s.rfind('/'); slash != std::string_view::npos) s = s.substr(slash + 1);
  if (size_t colon = s.find(':'); colon != std::string_view::npos) s = s.substr(0, colon);
  for (std::string_view ext : {".tar.gz", ".tgz", ".tar.zst", ".tar"})
    if (s.size() > ext.size() && s.ends_with(ext)) s.remove_suffix(ext.size());
  std::string out;
  for (char c : s) {
    char l = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
    out += (is_lower_alnum(l) || l == '.' || l == '_' || l == '-') ? l : '-';
  }
  return out.empty() ? "image" : out;
}

}  // namespace

std::string uuid_v5_url(std::string_view name) {
  static constexpr unsigned char k_url_namespace[16] = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad,
                                                        0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0,
                                                        0x4f, 0xd4, 0x30, 0xc8};
  auto h = sha1(std::string_view(reinterpret_cast<const char*>(k_url_namespace), 16), name);
  h[6] = static_cast<unsigned char>((h[6] & 0x0f) | 0x50);  // version 5
  h[8] = static_cast<unsigned char>((h[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string out;
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += k_hex[h[i] >> 4];
    out += k_hex[h[i] & 15];
  }
  return out;
}

std::string document_uuid(const report::InspectReport& r) {
  return uuid_v5_url("pith-sbom:" + r.digest.str());
}

std::string spdx_id(std::string_view prefix, std::string_view text) {
  std::string out = "SPDXRef-" + std::string(prefix) + "-";
  for (char c : text) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-';
    out += ok ? c : '-';
  }
  return out;
}

std::string image_name(const report::InspectReport& r) {
  auto ref = transport::parse_reference(r.reference);
  if (ref && ref->kind == transport::Kind::docker) return short_name(ref->docker.repository);
  if (ref && !ref->tag.empty() && ref->tag[0] != '@' && !ref->tag.starts_with("sha256:"))
    return short_name(ref->tag);
  if (ref) return short_name(ref->path);
  return short_name(r.reference);
}

std::string image_purl(const report::InspectReport& r) {
  std::string out = "pkg:oci/" + image_name(r) + "@" + purl_encode(r.digest.str());
  std::string q = "?arch=" + purl_encode(r.platform.architecture);
  auto ref = transport::parse_reference(r.reference);
  if (ref && ref->kind == transport::Kind::docker) {
    std::string_view tag = ref->docker.tag;
    q += "&repository_url=" + purl_encode(ref->docker.registry + "/" + ref->docker.repository);
    if (!tag.empty() && ref->docker.digest.empty()) q += "&tag=" + purl_encode(tag);
  }
  return out + q;
}

std::optional<int64_t> parse_rfc3339(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)
  auto num = [&](size_t pos, size_t len) -> std::optional<int64_t> {
    if (pos + len > t.size()) return std::nullopt;
    int64_t v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (t[i] < '0' || t[i] > '9') return std::nullopt;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't') ||
      t[13] != ':' || t[16] != ':')
    return std::nullopt;
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2),
       s = num(17, 2);
  if (!y || !mo || !d || !h || !mi || !s || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 ||
      *mi > 59 || *s > 60)
    return std::nullopt;
  size_t pos = 19;
  if (t[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') ++pos, ++digits;
    if (digits == 0) return std::nullopt;
  }
  int64_t offset = 0;
  if (pos < t.size() && (t[pos] == 'Z' || t[pos] == 'z') && pos + 1 == t.size()) {
  } else if (pos + 6 == t.size() && (t[pos] == '+' || t[pos] == '-') && t[pos + 3] == ':') {
    auto oh = num(pos + 1, 2), om = num(pos + 4, 2);
    if (!oh || !om || *oh > 23 || *om > 59) return std::nullopt;
    offset = (*oh * 60 + *om) * 60 * (t[pos] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  // Days from civil (Howard Hinnant's algorithm).
  int64_t yy = *y - (*mo <= 2 ? 1 : 0);
  int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  int64_t yoe = yy - era * 400;
  int64_t doy = (153 * (*mo + (*mo > 2 ? -3 : 9)) + 2) / 5 + *d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = era * 146097 + doe - 719468;
  return days * 86400 + *h * 3600 + *mi * 60 + *s - offset;
}

}  // namespace pith::sbom
