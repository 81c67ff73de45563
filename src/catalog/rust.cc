// cargo-auditable data: find .dep-v0, inflate it under a size cap, read the package list.
#include "catalog/rust.h"

#include <zlib.h>

#include <nlohmann/json.hpp>

#include "elf/file.h"

namespace pith::catalog {
namespace {

constexpr size_t k_max_json = 8 * 1024 * 1024;

// Inflates a zlib stream, failing rather than growing past `cap` (a small section may hold a
// bomb).
Result<std::string> inflate_capped(std::string_view in, size_t cap) {
  z_stream z{};
  if (inflateInit(&z) != Z_OK) return make_error("zlib init failed");
  std::string out;
  char buf[16384];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(std::min<size_t>(in.size(), UINT32_MAX));
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&z);
      return make_error("corrupt zlib data in .dep-v0");
    }
    size_t got = sizeof buf - z.avail_out;
    if (out.size() + got > cap) {
      inflateEnd(&z);
      return make_error("dependency data larger than " + std::to_string(cap) + " bytes");
    }
    out.append(buf, got);
    if (rc == Z_OK && got == 0 && z.avail_in == 0) {  // input ended before the stream did
      inflateEnd(&z);
      return make_error("truncated zlib data in .dep-v0");
    }
  }
  inflateEnd(&z);
  return out;
}

std::string string_field(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result<Findings> parse_cargo_auditable_json(std::string_view json, std::string_view location) {
  auto doc = nlohmann::json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    return make_error("dependency data is not a JSON object");
  auto packages = doc.find("packages");
  if (packages == doc.end() || !packages->is_array()) return make_error("no \"packages\" list");
  Findings out;
  size_t index = 0;
  for (const auto& entry : *packages) {
    ++index;
    if (!entry.is_object()) {
      out.warnings.push_back(
          {std::string(location), "package " + std::to_string(index) + " is not an object"});
      continue;
    }
    if (string_field(entry, "kind") == "build") continue;  // not linked into the binary
    Package p;
    p.type = PackageType::cargo;
    p.name = string_field(entry, "name");
    p.version = string_field(entry, "version");
    if (p.name.empty() || p.version.empty()) {
      out.warnings.push_back(
          {std::string(location), "package " + std::to_string(index) + " without name or version"});
      continue;
    }
    p.purl = make_purl("cargo", "", p.name, p.version);
    p.location = std::string(location);
    out.packages.push_back(std::move(p));
  }
  return out;
}

Result<Findings> parse_rust_binary(std::string_view bytes, std::string_view location) {
  elf::File elf = TRY(elf::File::parse(bytes));
  const elf::Section* section = elf.find_section(".dep-v0");
  if (!section) return make_error("no cargo-auditable dependency data (.dep-v0)");
  std::string_view compressed = TRY(elf.section_data(*section));
  std::string json = TRY(inflate_capped(compressed, k_max_json));
  return parse_cargo_auditable_json(json, location);
}

bool looks_like_rust_binary(std::string_view /*path*/, std::string_view first_bytes) {
  return elf::has_elf_magic(first_bytes);
}

}  // namespace pith::catalog
