// Field readers for untrusted JSON: type checks and path-naming errors in one place.
#include "oci/json_fields.h"

#include <limits>

#include "oci/manifest.h"
#include "util/json_depth.h"

namespace pith::oci::detail {

namespace {

// Deeper documents are refused before parsing: writing or comparing JSON recurses, and no
// real manifest or config nests more than a handful of levels.
constexpr int k_max_depth = 128;

Result<void> check_nesting(std::string_view bytes) {
  if (!json_nesting_within(bytes, k_max_depth))
    return make_error("nested deeper than " + std::to_string(k_max_depth) + " levels");
  return {};
}

Error field_error(std::string_view path, std::string_view key, const std::string& why) {
  return make_error(field_path(path, key) + ": " + why);
}

std::string expected(std::string_view what, const json& got) {
  return "expected " + std::string(what) + ", got " + got.type_name();
}

}  // namespace

Result<json> parse_object(std::string_view bytes) {
  if (bytes.size() > k_max_json_bytes)
    return make_error("document of " + std::to_string(bytes.size()) + " bytes exceeds the " +
                      std::to_string(k_max_json_bytes) + "-byte limit");
  TRY(check_nesting(bytes));
  json j = json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error("not valid JSON");
  if (!j.is_object()) return make_error(expected("a JSON object", j));
  return j;
}

std::string field_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return std::string(parent) + "." + std::string(key);
}

std::string item_path(std::string_view parent, size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

const json* find_field(const json& obj, std::string_view key) {
  auto it = obj.find(std::string(key));
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<void> expect_object(const json& j, std::string_view path) {
  if (j.is_object()) return {};
  return make_error(std::string(path.empty() ? "document" : path) + ": " +
                    expected("an object", j));
}

Result<std::string> get_string(const json& obj, std::string_view key, std::string_view path,
                               Presence presence) {
  const json* f = find_field(obj, key);
  if (f == nullptr) {
    if (presence == Presence::required) return field_error(path, key, "missing");
    return std::string();
  }
  if (!f->is_string()) return field_error(path, key, expected("a string", *f));
  return f->get<std::string>();
}

Result<std::vector<std::string>> get_strings(const json& obj, std::string_view key,
                                             std::string_view path) {
  std::vector<std::string> out;
  const json* f = find_field(obj, key);
  if (f == nullptr) return out;
  if (!f->is_array()) return field_error(path, key, expected("an array of strings", *f));
  for (size_t i = 0; i < f->size(); ++i) {
    const json& item = (*f)[i];
    if (!item.is_string())
      return make_error(item_path(field_path(path, key), i) + ": " + expected("a string", item));
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::map<std::string, std::string>> get_string_map(const json& obj, std::string_view key,
                                                          std::string_view path) {
  std::map<std::string, std::string> out;
  const json* f = find_field(obj, key);
  if (f == nullptr) return out;
  if (!f->is_object()) return field_error(path, key, expected("an object of strings", *f));
  for (const auto& [k, v] : f->items()) {
    if (!v.is_string())
      return make_error(field_path(field_path(path, key), k) + ": " + expected("a string", v));
    out.emplace(k, v.get<std::string>());
  }
  return out;
}

Result<bool> get_bool(const json& obj, std::string_view key, std::string_view path) {
  const json* f = find_field(obj, key);
  if (f == nullptr) return false;
  if (!f->is_boolean()) return field_error(path, key, expected("a boolean", *f));
  return f->get<bool>();
}

Result<uint64_t> get_size(const json& obj, std::string_view key, std::string_view path) {
  const json* f = find_field(obj, key);
  if (f == nullptr) return field_error(path, key, "missing");
  // Integers beyond uint64 parse as floats, so they are refused here too.
  if (f->is_number_unsigned()) {
    uint64_t v = f->get<uint64_t>();
    if (v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return v;
    return field_error(path, key, std::to_string(v) + " is out of range");
  }
  if (f->is_number_integer()) return field_error(path, key, "negative size");
  return field_error(path, key, expected("a non-negative integer", *f));
}

Result<Digest> get_digest(const json& obj, std::string_view key, std::string_view path) {
  std::string text = TRY(get_string(obj, key, path, Presence::required));
  auto d = Digest::parse(text);
  if (!d) return field_error(path, key, d.error().message);
  return std::move(d).value();
}

Result<void> check_schema_version(const json& obj) {
  const json* f = find_field(obj, "schemaVersion");
  if (f == nullptr) return make_error("schemaVersion: missing");
  if (!f->is_number_integer()) return make_error("schemaVersion: " + expected("an integer", *f));
  if (*f == 1) return make_error("schemaVersion 1 (Docker v2 schema 1) is not supported");
  if (*f != 2) return make_error("unsupported schemaVersion " + f->dump());
  return {};
}

}  // namespace pith::oci::detail
