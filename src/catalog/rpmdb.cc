// rpm database detection by magic and the cataloger entry point over the three backends.
#include "catalog/rpmdb.h"

#include "catalog/rpm_bytes.h"
#include "catalog/rpm_header.h"

namespace pith::catalog {

std::optional<RpmdbFormat> detect_rpmdb_format(std::string_view bytes) {
  using namespace rpm_bytes;
  if (bytes.substr(0, 16) == std::string_view("SQLite format 3\0", 16)) return RpmdbFormat::sqlite;
  if (bytes.substr(0, 4) == "RpmP") return RpmdbFormat::ndb;
  // BerkeleyDB's metadata page holds the hash magic 0x061561 at offset 12, in the byte order
  // of the machine that wrote it.
  struct Magic {
    uint8_t value[4];
  };
  static_assert(sizeof(Magic) == 4);
  if (auto m = load_struct<Magic>(bytes, 12)) {
    constexpr uint32_t k_hash_magic = 0x061561;
    if (load32(m->value, Order::little) == k_hash_magic ||
        load32(m->value, Order::big) == k_hash_magic) {
      return RpmdbFormat::berkeley_db;
    }
  }
  return std::nullopt;
}

Result<std::vector<Package>> parse_rpmdb(std::string_view bytes, std::string_view location,
                                         const OsContext& os, std::vector<Warning>* warnings) {
  auto format = detect_rpmdb_format(bytes);
  if (!format) return make_error(std::string(location) + ": not an rpm database");

  std::vector<Package> packages;
  RpmWarn warn = [&](std::string message) {
    if (warnings) warnings->push_back(Warning{std::string(location), std::move(message)});
  };
  size_t entry = 0;
  RpmBlobVisitor visit = [&](std::string_view blob) {
    ++entry;
    auto package = parse_rpm_header(blob, location, os, warnings);
    if (package) {
      packages.push_back(std::move(package).value());
    } else {
      warn("package entry " + std::to_string(entry) + " skipped: " + package.error().message);
    }
  };

  Result<void> read;
  switch (*format) {
    case RpmdbFormat::sqlite:
      read = read_rpmdb_sqlite(bytes, visit, warn);
      break;
    case RpmdbFormat::berkeley_db:
      read = read_rpmdb_bdb(bytes, visit, warn);
      break;
    case RpmdbFormat::ndb:
      read = read_rpmdb_ndb(bytes, visit, warn);
      break;
  }
  if (!read) return std::move(read).error().wrap(std::string(location));
  return packages;
}

}  // namespace pith::catalog
