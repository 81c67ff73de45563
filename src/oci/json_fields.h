// Typed access to the fields of untrusted JSON documents (internal to src/oci). Every error
// names the field's path, e.g. "layers[2].digest: invalid digest ...". An absent field and a
// null one are the same thing: the OCI spec says an optional field MAY be null.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "oci/descriptor.h"
#include "oci/digest.h"
#include "util/result.h"

namespace pith::oci::detail {

using nlohmann::json;

enum class Presence { required, optional };

// Parses a whole document that must be a JSON object, within pith's size and nesting limits
// (the limits keep hostile documents from exhausting memory or the stack).
Result<json> parse_object(std::string_view bytes);

// "layers[2]" + "digest" -> "layers[2].digest"; "" + "config" -> "config".
std::string field_path(std::string_view parent, std::string_view key);
std::string item_path(std::string_view parent, size_t index);  // "layers[2]"

// The field, or nullptr when absent or null.
const json* find_field(const json& obj, std::string_view key);

Result<void> expect_object(const json& j, std::string_view path);
Result<std::string> get_string(const json& obj, std::string_view key, std::string_view path,
                               Presence presence = Presence::optional);
Result<std::vector<std::string>> get_strings(const json& obj, std::string_view key,
                                             std::string_view path);
Result<std::map<std::string, std::string>> get_string_map(const json& obj, std::string_view key,
                                                          std::string_view path);
Result<bool> get_bool(const json& obj, std::string_view key, std::string_view path);
// A size or count: a non-negative integer that fits in int64 (as the OCI spec says).
Result<uint64_t> get_size(const json& obj, std::string_view key, std::string_view path);
Result<Digest> get_digest(const json& obj, std::string_view key, std::string_view path);
// "schemaVersion", required; anything but 2 is refused with a reason.
Result<void> check_schema_version(const json& obj);

// Descriptor and platform readers that name their position in the document.
Result<Descriptor> parse_descriptor(const json& j, std::string_view path);
Result<Platform> parse_platform(const json& j, std::string_view path);

}  // namespace pith::oci::detail
