// Image configuration: the fields pith models, read strictly; everything else kept in `raw`.
#include "oci/config.h"

#include "oci/canonical_json.h"
#include "oci/json_fields.h"

namespace pith::oci {

namespace {

using detail::find_field;
using detail::get_string;
using detail::get_strings;
using detail::item_path;
using detail::json;
using detail::Presence;

Result<void> read_run_config(const json& j, ImageConfig& c) {
  const json* rc = find_field(j, "config");
  if (rc == nullptr) return {};
  TRY(detail::expect_object(*rc, "config"));
  c.user = TRY(get_string(*rc, "User", "config"));
  c.entrypoint = TRY(get_strings(*rc, "Entrypoint", "config"));
  c.cmd = TRY(get_strings(*rc, "Cmd", "config"));
  c.env = TRY(get_strings(*rc, "Env", "config"));
  c.working_dir = TRY(get_string(*rc, "WorkingDir", "config"));
  c.labels = TRY(detail::get_string_map(*rc, "Labels", "config"));
  return {};
}

Result<void> read_rootfs(const json& j, ImageConfig& c) {
  const json* rootfs = find_field(j, "rootfs");
  if (rootfs == nullptr) return make_error("rootfs: missing");
  TRY(detail::expect_object(*rootfs, "rootfs"));
  std::string type = TRY(get_string(*rootfs, "type", "rootfs", Presence::required));
  if (type != "layers") return make_error("rootfs.type: expected \"layers\"");
  const json* ids = find_field(*rootfs, "diff_ids");
  if (ids == nullptr) return make_error("rootfs.diff_ids: missing");
  if (!ids->is_array())
    return make_error(std::string("rootfs.diff_ids: expected an array, got ") + ids->type_name());
  for (size_t i = 0; i < ids->size(); ++i) {
    std::string path = item_path("rootfs.diff_ids", i);
    if (!(*ids)[i].is_string()) return make_error(path + ": expected a string");
    auto d = Digest::parse((*ids)[i].get_ref<const std::string&>());
    if (!d) return d.error().wrap(path);
    c.diff_ids.push_back(std::move(d).value());
  }
  return {};
}

Result<void> read_history(const json& j, ImageConfig& c) {
  const json* history = find_field(j, "history");
  if (history == nullptr) return {};
  if (!history->is_array())
    return make_error(std::string("history: expected an array, got ") + history->type_name());
  for (size_t i = 0; i < history->size(); ++i) {
    const json& e = (*history)[i];
    std::string path = item_path("history", i);
    TRY(detail::expect_object(e, path));
    HistoryEntry h;
    h.created = TRY(get_string(e, "created", path));
    h.created_by = TRY(get_string(e, "created_by", path));
    h.author = TRY(get_string(e, "author", path));
    h.comment = TRY(get_string(e, "comment", path));
    h.empty_layer = TRY(detail::get_bool(e, "empty_layer", path));
    c.history.push_back(std::move(h));
  }
  return {};
}

Result<ImageConfig> config_from_json(std::string_view bytes) {
  ImageConfig c;
  c.raw = TRY(detail::parse_object(bytes));
  const json& j = c.raw;
  c.architecture = TRY(get_string(j, "architecture", ""));
  c.os = TRY(get_string(j, "os", ""));
  c.variant = TRY(get_string(j, "variant", ""));
  c.created = TRY(get_string(j, "created", ""));
  TRY(read_run_config(j, c));
  TRY(read_rootfs(j, c));
  TRY(read_history(j, c));
  return c;
}

// Sets j[key] to v, or removes the key when v is empty (pith writes no empty optionals).
template <class T>
void put_or_erase(json& j, const char* key, const T& v) {
  if (v.empty())
    j.erase(key);
  else
    j[key] = v;
}

}  // namespace

Result<ImageConfig> parse_config(std::string_view bytes) {
  return config_from_json(bytes).wrap("config");
}

std::vector<const HistoryEntry*> layer_history(const ImageConfig& c) {
  std::vector<const HistoryEntry*> out;
  for (const auto& h : c.history)
    if (!h.empty_layer) out.push_back(&h);
  return out;
}

nlohmann::json to_json(const ImageConfig& c) {
  // Start from the document as read, so fields pith does not model survive a rewrite.
  json j = c.raw.is_object() ? c.raw : json::object();
  j["architecture"] = c.architecture;
  j["os"] = c.os;
  put_or_erase(j, "variant", c.variant);
  put_or_erase(j, "created", c.created);

  json run = j.contains("config") && j["config"].is_object() ? j["config"] : json::object();
  put_or_erase(run, "User", c.user);
  put_or_erase(run, "Entrypoint", c.entrypoint);
  put_or_erase(run, "Cmd", c.cmd);
  put_or_erase(run, "Env", c.env);
  put_or_erase(run, "WorkingDir", c.working_dir);
  put_or_erase(run, "Labels", c.labels);
  put_or_erase(j, "config", run);

  json ids = json::array();
  for (const auto& d : c.diff_ids) ids.push_back(d.str());
  j["rootfs"] = {{"type", "layers"}, {"diff_ids", std::move(ids)}};

  json history = json::array();
  for (const auto& h : c.history) {
    json e = json::object();
    put_or_erase(e, "created", h.created);
    put_or_erase(e, "created_by", h.created_by);
    put_or_erase(e, "author", h.author);
    put_or_erase(e, "comment", h.comment);
    if (h.empty_layer) e["empty_layer"] = true;
    history.push_back(std::move(e));
  }
  put_or_erase(j, "history", history);
  return j;
}

std::string serialize(const ImageConfig& c) {
  return canonical_json(to_json(c));
}

}  // namespace pith::oci
