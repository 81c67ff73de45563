#include "build/verify.h"

#include <sys/stat.h>

#include <algorithm>
#include <optional>

#include "lint/runtime.h"
#include "util/file.h"

namespace pith::build {

namespace {

// Bytes lint would keep of a file, as the pass over a layer would see them.
Result<void> collect_entry(const PlanEntry& e, const tar::Entry& entry, lint::LayerFacts& facts) {
  fs::Want want = lint::wanted(entry);
  if (want == fs::Want::nothing) return {};
  // A host file is mapped, not read: lint looks at an ELF file's headers and dynamic section,
  // and the tar reads the whole file once more anyway (a curl build's libraries are 19 MB).
  std::optional<MappedFile> mapped;
  std::string_view bytes = e.content;
  if (!e.source.empty()) bytes = mapped.emplace(TRY(MappedFile::open(e.source))).bytes();
  bool elf = elf::has_elf_magic(bytes);
  if (want == fs::Want::content_if_elf && !elf) return {};
  if (want == fs::Want::elf_or_shebang && !elf) {
    if (!bytes.starts_with("#!")) return {};
    bytes = bytes.substr(0, std::min(bytes.find('\n'), fs::k_max_shebang_line));
  }
  lint::collect(entry.path, bytes, entry.mode, facts);
  return {};
}

}  // namespace

Result<lint::ImageView> planned_image(const Plan& plan, oci::ImageConfig config) {
  std::vector<tar::Entry> entries;
  lint::LayerFacts facts;
  for (const PlanEntry& e : plan.layer_entries(std::nullopt)) {
    tar::Entry t;
    t.path = e.path.substr(1);
    t.mode = e.mode;
    t.uid = e.uid;
    t.gid = e.gid;
    if (e.kind == EntryKind::directory) {
      t.type = tar::EntryType::directory;
    } else if (e.kind == EntryKind::symlink) {
      t.type = tar::EntryType::symlink;
      t.link_target = e.link_target;
    } else {
      if (e.source.empty()) {
        t.size = e.content.size();
      } else {
        struct stat st {};
        if (::stat(e.source.c_str(), &st) != 0) return make_error(e.source + ": cannot stat");
        t.size = static_cast<uint64_t>(st.st_size);
      }
      TRY(collect_entry(e, t, facts).wrap(e.path));
    }
    entries.push_back(std::move(t));
  }
  fs::Tree tree;
  TRY(tree.apply_layer(0, entries));
  return lint::ImageView("the planned image", std::move(tree), {std::move(facts)},
                         std::move(config));
}

Result<void> verify_image(const lint::ImageView& image, const VerifyOptions& options,
                          const std::function<void(const std::string&)>& warn) {
  for (const auto& f : lint::check_runtime(image)) {
    bool error = f.severity == lint::Severity::error && !(options.allow_missing && f.id == "PL104");
    if (!error) {
      if (f.severity != lint::Severity::info) warn(f.id + " " + f.message);
      continue;
    }
    std::string way_out = " (--no-verify writes the image anyway; docs/rules/" + f.id + ".md)";
    if (f.id == "PL107") {
      const std::string& e = options.entrypoint;
      std::string name = e.substr(e.rfind('/') + 1);
      way_out = "; build with --user 0, put the program where the user can reach it" +
                (e.starts_with('/') ? ", or give the host file as ./" + name : "") + way_out;
    }
    return make_error(f.id + " " + f.message + way_out);
  }
  return {};
}

}  // namespace pith::build
