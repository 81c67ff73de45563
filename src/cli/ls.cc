// `pith ls IMAGE`: the image's files, layers squashed (or one layer as stored), like tar -tv.
#include <cstdio>
#include <ctime>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/options.h"
#include "cli/registry_flags.h"
#include "fs/layers.h"
#include "fs/tree.h"
#include "report/render.h"
#include "util/escape.h"

namespace pith::cli {

namespace {

struct LsArgs {
  std::string image;
  std::string platform;
  std::optional<int64_t> layer;  // from the bottom (0, 1, ...) or from the top (-1, -2, ...)
  int64_t layer_flag = 0;
  bool json = false;
  RegistryFlags registry;
};

std::string_view type_name(tar::EntryType t) {
  switch (t) {
    case tar::EntryType::regular:
      return "file";
    case tar::EntryType::directory:
      return "directory";
    case tar::EntryType::symlink:
      return "symlink";
    case tar::EntryType::hardlink:
      return "hardlink";
    case tar::EntryType::char_device:
      return "char";
    case tar::EntryType::block_device:
      return "block";
    case tar::EntryType::fifo:
      return "fifo";
  }
  return "file";
}

std::string date_of(int64_t mtime) {
  std::time_t t = static_cast<std::time_t>(mtime);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

// One line in `tar -tv` style, with numeric owners and absolute paths.
// Names and targets are escaped as GNU tar escapes them: one line per entry, whatever they hold.
std::string text_line(const tar::Entry& e) {
  std::string line = fmt::format("{} {}/{} {:>10} {} /{}", tar::mode_string(e), e.uid, e.gid,
                                 e.size, date_of(e.mtime), escape_text(e.path));
  if (e.type == tar::EntryType::symlink) line += " -> " + escape_text(e.link_target);
  if (e.type == tar::EntryType::hardlink) line += " link to /" + escape_text(e.link_target);
  if (e.type == tar::EntryType::char_device || e.type == tar::EntryType::block_device)
    line += fmt::format(" ({},{})", e.dev_major, e.dev_minor);
  return line;
}

nlohmann::json json_entry(const tar::Entry& e) {
  nlohmann::json j = {{"path", "/" + e.path}, {"type", type_name(e.type)},
                      {"mode", e.mode},       {"uid", e.uid},
                      {"gid", e.gid},         {"size", e.size},
                      {"mtime", e.mtime}};
  if (e.type == tar::EntryType::symlink) j["link"] = e.link_target;
  if (e.type == tar::EntryType::hardlink) j["link"] = "/" + e.link_target;
  return j;
}

// Writes entries to stdout as they come: `tar -tv` lines, or a JSON array with one object a line.
class Printer {
 public:
  explicit Printer(bool json) : m_json(json) {}
  void operator()(const tar::Entry& e) {
    if (m_json) {
      m_buf += m_first ? "[\n " : ",\n ";
      m_buf += report::json_text(json_entry(e), -1);
    } else {
      m_buf += text_line(e);
      m_buf += '\n';
    }
    m_first = false;
    if (m_buf.size() >= (1 << 16)) flush();
  }
  void finish() {
    if (m_json) m_buf += m_first ? "[]\n" : "\n]\n";
    flush();
  }

 private:
  void flush() {
    std::fwrite(m_buf.data(), 1, m_buf.size(), stdout);
    m_buf.clear();
  }
  bool m_json;
  bool m_first = true;
  std::string m_buf;
};

// `--layer N` as an index: from the bottom, or counted from the top when negative, as Python
// indexes a list (-1 is the top layer).
Result<size_t> layer_index(int64_t n, size_t count) {
  auto c = static_cast<int64_t>(count);
  if (n >= c || n < -c) {
    std::string range = count == 0 ? "none" : fmt::format("0 to {}, or {} to -1", c - 1, -c);
    return make_error(fmt::format("--layer {}: the image has {} layers ({})", n, count, range));
  }
  return static_cast<size_t>(n < 0 ? n + c : n);
}

Result<void> run_ls(const LsArgs& args) {
  // 1. Open the image and pick the platform.
  auto ref = TRY(transport::parse_reference(args.image));
  auto wanted = TRY(parse_platform_option(args.platform));
  auto src = TRY(transport::open_source(ref, args.registry.options(), wanted));
  auto img = TRY(transport::resolve_image(*src, wanted));
  // 2. Read the entries: one layer as stored, or every layer squashed in order; 3. print each
  // as it comes (a listing may be large: nothing is gathered).
  Printer print(args.json);
  if (args.layer) {
    size_t index = TRY(layer_index(*args.layer, img.manifest.layers.size()));
    auto layer = TRY(fs::read_layer(*src, img, index));
    auto& entries = layer.entries;
    std::erase_if(entries, [](const tar::Entry& e) { return e.path.empty(); });
    std::stable_sort(entries.begin(), entries.end(),
                     [](const tar::Entry& a, const tar::Entry& b) { return a.path < b.path; });
    for (const auto& e : entries) print(e);
  } else {
    auto layers = TRY(fs::read_layers(*src, img));
    fs::Tree tree;
    for (size_t i = 0; i < layers.size(); ++i)
      TRY(tree.apply_layer(i, layers[i].entries)
              .wrap("layer " + std::to_string(i) + " (" +
                    img.manifest.layers[i].digest.short_str() + ")"));
    layers.clear();
    // Each entry where the squash put it (a file written through a symlinked parent is listed
    // where the link points, as a runtime shows it).
    tree.for_each([&](const std::string& path, const fs::Node& node) {
      tar::Entry e = node.entry;
      e.path = path;
      print(e);
    });
  }
  print.finish();
  return {};
}

}  // namespace

Runner setup_ls(CLI::App& app) {
  auto args = std::make_shared<LsArgs>();
  app.add_option("image", args->image, "Image reference")->required();
  auto* layer = app.add_option("--layer", args->layer_flag,
                               "Only layer N (0 = bottom, -1 = top), its entries as stored");
  app.add_option("--platform", args->platform, "os/arch[/variant] to pick from an index");
  app.add_flag("--json", args->json, "JSON array of entries");
  add_registry_flags(app, args->registry);
  return [args, layer] {
    if (layer->count() > 0) args->layer = args->layer_flag;
    auto r = run_ls(*args);
    return r ? k_exit_ok : report(r.error());
  };
}

}  // namespace pith::cli
