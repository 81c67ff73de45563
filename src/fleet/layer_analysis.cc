// One read of a layer for three tools, its stored form, and an image merged from stored layers.
#include "fleet/layer_analysis.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "compress/compression.h"
#include "elf/file.h"
#include "fleet/record.h"
#include "lint/lint.h"
#include "report/analyze.h"
#include "util/byte_source.h"
#include "util/limits.h"

namespace pith::fleet {

namespace {

constexpr std::string_view k_magic = "PITHLAYR";
constexpr uint64_t k_record_format = 1;
// The largest body decode() inflates: the entries' paths and every kept content at their
// bounds, and per entry (2 Mi of them) room for its other fields, a sha256 and a lint fact.
constexpr uint64_t k_max_body = k_max_path_expansion + 256 * uint64_t{k_max_entries};

// What each tool's own pass asks of one regular entry (fs::read_layer asks the policy, then
// hands that entry's captured file to the consumer, on the layer's one worker thread).
struct EntryWants {
  std::string path;
  uint64_t size = 0;
  fs::Want inspect = fs::Want::nothing;
  fs::Want lint = fs::Want::nothing;  // lint's pass: inspect's and lint's wishes
  fs::Want sbom = fs::Want::nothing;  // sbom's pass: inspect's and sbom's
};

EntryWants wants_of(const tar::Entry& e) {
  EntryWants w{e.path, e.size, report::wanted_content(e), lint::wanted(e), sbom::wanted_capture(e)};
  w.lint = std::max(w.inspect, w.lint);
  w.sbom = std::max(w.inspect, w.sbom);
  return w;
}

// What a pass capturing with `want` would have handed its consumer, given the file as the
// union of all policies captured it (as much or more of it): the same bytes, the "#!" line
// alone, or nothing (see fs::read_layer's capture()).
enum class Seen { nothing, same, first_line };

Seen seen_as(const fs::CapturedFile& f, uint64_t size, fs::Want want) {
  switch (want) {
    case fs::Want::nothing:
      return Seen::nothing;
    case fs::Want::content:
      return Seen::same;
    case fs::Want::content_if_elf:
      return size >= 4 && elf::has_elf_magic(f.bytes) ? Seen::same : Seen::nothing;
    case fs::Want::elf_or_shebang:
      if (size < 4) return Seen::nothing;
      if (elf::has_elf_magic(f.bytes)) return Seen::same;
      return f.bytes.starts_with("#!") ? Seen::first_line : Seen::nothing;
  }
  return Seen::nothing;
}

// The "#!" line as a pass capturing only it keeps it: the first k_max_shebang_line bytes of
// the file, up to its first newline.
fs::CapturedFile first_line(const fs::CapturedFile& f, uint64_t size) {
  std::string_view head = f.bytes;
  head = head.substr(0, static_cast<size_t>(std::min<uint64_t>(size, fs::k_max_shebang_line)));
  return {f.path, std::string(head.substr(0, head.find('\n'))), f.mode};
}

template <class Consume>
void feed(const fs::CapturedFile& f, uint64_t size, fs::Want want, Consume&& consume) {
  switch (seen_as(f, size, want)) {
    case Seen::nothing:
      return;
    case Seen::same:
      consume(f);
      return;
    case Seen::first_line:
      consume(first_line(f, size));
  }
}

// fs::read_layer's warnings name a file too large to analyse with this ending; the others
// (files left unhashed) end otherwise.
constexpr std::string_view k_too_large = " is too large to analyse; skipped";

}  // namespace

Result<LayerAnalysis> analyze_layer(transport::ImageSource& src,
                                    const transport::ResolvedImage& img, size_t index) {
  if (index >= img.manifest.layers.size() || index >= img.config.diff_ids.size())
    return make_error("layer " + std::to_string(index) + ": the image has " +
                      std::to_string(img.manifest.layers.size()) + " layers");
  LayerAnalysis out;
  out.diff_id = img.config.diff_ids[index];
  EntryWants current;
  // For each file too large to analyse in the union's pass, whether inspect's asks for it.
  std::vector<bool> too_large_for_inspect;
  fs::ScanOptions scan;
  scan.capture = [&](const tar::Entry& e) {
    current = wants_of(e);
    fs::Want all = std::max(current.lint, current.sbom);
    if (all != fs::Want::nothing && e.size > scan.max_capture_bytes)
      too_large_for_inspect.push_back(current.inspect != fs::Want::nothing);
    return all;
  };
  report::CatalogBudget budget;
  scan.consume = [&](size_t, fs::CapturedFile&& f) {
    // The policy was just asked about this very entry; the fallback is never expected.
    if (current.path != f.path) {
      tar::Entry e;
      e.path = f.path;
      e.mode = f.mode;
      e.size = f.bytes.size();
      current = wants_of(e);
    }
    const uint64_t size = current.size;
    feed(f, size, current.lint,
         [&](const fs::CapturedFile& seen) { lint::collect(seen, out.facts); });
    feed(f, size, current.sbom,
         [&](const fs::CapturedFile& seen) { sbom::collect(seen, out.captures); });
    switch (seen_as(f, size, current.inspect)) {
      case Seen::nothing:
        break;
      case Seen::same:
        report::catalog_file(std::move(f), out.catalog, budget);
        break;
      case Seen::first_line:
        report::catalog_file(first_line(f, size), out.catalog, budget);
    }
  };
  scan.digest = [](const tar::Entry&) { return true; };
  scan.on_digest = [&](size_t, const tar::Entry& e, std::string hex) {
    out.captures.sha256[e.path] = std::move(hex);
  };
  out.layer = TRY(fs::read_layer(src, img, index, scan));
  out.kept_bytes = budget.kept_bytes;
  out.listed_paths = budget.listed_paths;

  // The union's warnings, sorted into each pass's: too large for inspect's pass (and so
  // sbom's, whose own captures are far smaller than the bound), unhashed for sbom's only.
  std::vector<std::string> all = std::move(out.layer.warnings);
  out.layer.warnings.clear();
  size_t large = 0;
  for (auto& w : all) {
    if (std::string_view(w).ends_with(k_too_large)) {
      bool inspect = large < too_large_for_inspect.size() && too_large_for_inspect[large];
      ++large;
      if (!inspect) continue;
      out.layer.warnings.push_back(w);
    }
    out.sbom_warnings.push_back(std::move(w));
  }
  return out;
}

std::string encode(const LayerAnalysis& a) {
  RecordWriter w;
  w.bytes(a.diff_id.str());
  // The layer.
  w.u64(a.layer.uncompressed_size);
  w.u64(a.layer.entries.size());
  for (const auto& e : a.layer.entries) put(w, e);
  put_strings(w, a.layer.warnings);
  put_strings(w, a.sbom_warnings);
  w.u64(a.kept_bytes);
  w.u64(a.listed_paths);
  // Inspect's catalog.
  w.u64(a.catalog.os_databases.size());
  for (const auto& f : a.catalog.os_databases) put(w, f);
  w.u64(a.catalog.system_files.size());
  for (const auto& f : a.catalog.system_files) put(w, f);
  w.u64(a.catalog.dpkg_file_lists.size());
  for (const auto& l : a.catalog.dpkg_file_lists) put(w, l);
  w.u64(a.catalog.language.size());
  for (const auto& p : a.catalog.language) put(w, p);
  put_strings(w, a.catalog.warnings);
  // Lint's facts (maps sorted by path already).
  w.u64(a.facts.elf.size());
  for (const auto& [path, facts] : a.facts.elf) {
    w.path(path);
    put(w, facts);
  }
  put(w, a.facts.elf_errors);
  put(w, a.facts.shebangs);
  put(w, a.facts.files);
  // Sbom's captures.
  put(w, a.captures.files);
  std::vector<const std::pair<const std::string, std::string>*> hashes;
  hashes.reserve(a.captures.sha256.size());
  for (const auto& kv : a.captures.sha256) hashes.push_back(&kv);
  std::sort(hashes.begin(), hashes.end(), [](auto* x, auto* y) { return x->first < y->first; });
  w.u64(hashes.size());
  for (const auto* kv : hashes) {
    w.path(kv->first);
    put_sha256_hex(w, kv->second);
  }

  RecordWriter head;
  head.raw(k_magic);
  head.u64(k_record_format);
  head.u64(k_analyzer_version);
  head.u64(w.out().size());
  auto compressed = compress::compress(std::make_unique<MemorySource>(std::move(w.out())),
                                       compress::Compression::zstd);
  auto body = read_all(*compressed, UINT64_MAX);
  // Compressing bytes in memory cannot fail but for memory itself, which throws anyway.
  if (!body) throw std::runtime_error("layer analysis: " + body.error().message);
  return std::move(head.out()) + *body;
}

namespace {

Result<LayerAnalysis> decode_body(std::string_view body) {
  RecordReader r(body);
  DecodeBudget budget;
  LayerAnalysis a;
  a.diff_id = TRY(oci::Digest::parse(TRY(r.bytes("diff_id", 1024))).wrap("diff_id"));
  a.layer.uncompressed_size = TRY(r.u64("layer size"));
  size_t entries = TRY(r.count("entries", k_max_entries));
  a.layer.entries.reserve(entries);
  for (size_t i = 0; i < entries; ++i) a.layer.entries.push_back(TRY(get_entry(r, budget)));
  a.layer.warnings = TRY(get_strings(r, "warnings", budget));
  a.sbom_warnings = TRY(get_strings(r, "sbom warnings", budget));
  a.kept_bytes = TRY(r.u64("kept bytes"));
  a.listed_paths = TRY(r.u64("listed paths"));

  size_t n = TRY(r.count("os databases", k_max_entries));
  for (size_t i = 0; i < n; ++i)
    a.catalog.os_databases.push_back(TRY(get_captured_file(r, budget)));
  n = TRY(r.count("system files", k_max_entries));
  for (size_t i = 0; i < n; ++i)
    a.catalog.system_files.push_back(TRY(get_captured_file(r, budget)));
  n = TRY(r.count("dpkg file lists", k_max_entries));
  for (size_t i = 0; i < n; ++i)
    a.catalog.dpkg_file_lists.push_back(TRY(get_dpkg_file_list(r, budget)));
  n = TRY(r.count("language packages", k_max_entries));
  for (size_t i = 0; i < n; ++i) a.catalog.language.push_back(TRY(get_package(r, budget)));
  a.catalog.warnings = TRY(get_strings(r, "catalog warnings", budget));

  n = TRY(r.count("elf facts", k_max_entries));
  std::string last;
  for (size_t i = 0; i < n; ++i) {
    std::string path = TRY(r.path("elf facts"));
    if (i > 0 && path <= last) return r.error("elf facts", "keys out of order");
    last = path;
    a.facts.elf.emplace(std::move(path), TRY(get_elf_facts(r, budget)));
  }
  using Sorted = std::map<std::string, std::string>;
  a.facts.elf_errors = TRY(get_string_map<Sorted>(r, "elf errors", budget));
  a.facts.shebangs = TRY(get_string_map<Sorted>(r, "shebangs", budget));
  a.facts.files = TRY(get_string_map<Sorted>(r, "lint files", budget));

  using Unsorted = std::unordered_map<std::string, std::string>;
  a.captures.files = TRY(get_string_map<Unsorted>(r, "copyright files", budget));
  n = TRY(r.count("file hashes", k_max_entries));
  a.captures.sha256.reserve(n);
  last.clear();
  for (size_t i = 0; i < n; ++i) {
    std::string path = TRY(r.path("file hashes"));
    if (i > 0 && path <= last) return r.error("file hashes", "keys out of order");
    last = path;
    a.captures.sha256.emplace(std::move(path), TRY(get_sha256_hex(r)));
  }
  if (!r.at_end()) return r.error("end", "bytes after the record");
  return a;
}

}  // namespace

Result<LayerAnalysis> decode(std::string_view bytes) {
  auto bad = [](const std::string& why) { return make_error("layer analysis record: " + why); };
  if (!bytes.starts_with(k_magic)) return bad("not one (no PITHLAYR header)");
  RecordReader head(bytes.substr(k_magic.size()));
  auto format = head.u64("format");
  auto version = format ? head.u64("analyzer version") : Result<uint64_t>(format.error());
  auto size = version ? head.u64("body size", k_max_body) : Result<uint64_t>(version.error());
  if (!size) return bad(size.error().message);
  if (*format != k_record_format)
    return bad("format " + std::to_string(*format) + "; this pith reads format " +
               std::to_string(k_record_format));
  if (*version != static_cast<uint64_t>(k_analyzer_version))
    return bad("made by analyzer version " + std::to_string(*version) + "; this pith's is " +
               std::to_string(k_analyzer_version));
  std::string payload(bytes.substr(k_magic.size() + head.offset()));
  auto inflater = compress::decompress(std::make_unique<MemorySource>(std::move(payload)),
                                       compress::Compression::zstd, *size);
  auto body = read_all(*inflater, *size);
  if (!body) return bad(body.error().message);
  if (body->size() != *size)
    return bad("a body of " + std::to_string(body->size()) + " bytes where the header says " +
               std::to_string(*size));
  auto a = decode_body(*body);
  if (!a) return bad(a.error().message);
  return a;
}

Result<ImageResults> merge_image(std::string reference, const transport::ResolvedImage& img,
                                 std::vector<LayerAnalysis> layers, const MergeOptions& options) {
  // 1. The layers are the image's, and together within the bounds the pass holds it to.
  const size_t n = img.manifest.layers.size();
  if (layers.size() != n || img.config.diff_ids.size() != n)
    return make_error(std::to_string(layers.size()) + " layer analyses for an image of " +
                      std::to_string(n) + " layers");
  uint64_t entries = 0, path_bytes = 0, kept_bytes = 0, listed_paths = 0;
  for (size_t i = 0; i < n; ++i) {
    const LayerAnalysis& a = layers[i];
    if (a.diff_id != img.config.diff_ids[i])
      return make_error("layer " + std::to_string(i) + ": the analysis of " + a.diff_id.str() +
                        " where the image has " + img.config.diff_ids[i].str());
    entries += a.layer.entries.size();
    for (const auto& e : a.layer.entries) path_bytes += e.path.size() + e.link_target.size();
    kept_bytes += a.kept_bytes;
    listed_paths += a.listed_paths;
  }
  TRY(fs::check_image_totals(entries, path_bytes));
  // A pass over the whole image would have skipped files past these (which ones depends on the
  // order its workers met them): the stored layers cannot stand for it.
  if (kept_bytes > k_max_kept_bytes)
    return make_error("the image's package databases and system files take more than " +
                      std::to_string(k_max_kept_bytes) + " bytes");
  if (listed_paths > k_max_entries)
    return make_error("the image's dpkg file lists name more than " +
                      std::to_string(k_max_entries) + " paths");

  // 2. Inspect's merge.
  std::vector<fs::LayerEntries> read(n);
  std::vector<report::LayerCatalog> catalogs(n);
  std::vector<lint::LayerFacts> facts(n);
  std::vector<sbom::LayerCaptures> captures(n);
  std::vector<std::string> sbom_warnings;
  size_t layer_warnings = 0;
  for (size_t i = 0; i < n; ++i) {
    layer_warnings += layers[i].layer.warnings.size();
    for (auto& w : layers[i].sbom_warnings) sbom_warnings.push_back(std::move(w));
    read[i] = std::move(layers[i].layer);
    catalogs[i] = std::move(layers[i].catalog);
    facts[i] = std::move(layers[i].facts);
    captures[i] = std::move(layers[i].captures);
  }
  layers.clear();
  fs::Tree tree;
  ImageResults out;
  out.inspect = TRY(report::merge_layers(std::move(reference), img, read, catalogs, &tree));

  // 3. Sbom's join, on the report as its pass gives it: its layers' warnings, then the merge's.
  report::InspectReport for_sbom = out.inspect;
  const auto& merged = out.inspect.warnings;
  sbom_warnings.insert(
      sbom_warnings.end(),
      merged.begin() + static_cast<ptrdiff_t>(std::min(layer_warnings, merged.size())),
      merged.end());
  for_sbom.warnings = std::move(sbom_warnings);
  sbom::MeasureOptions measure;
  measure.file_hashes = sbom::FileHashes::yes;
  measure.source_date_epoch = options.source_date_epoch;
  out.sbom = sbom::join(std::move(for_sbom), tree, captures, measure);

  // 4. Lint's rules with `pith lint`'s defaults, on the view of the tree and the facts.
  lint::ImageView view(out.inspect.reference, std::move(tree), std::move(facts), img.config);
  out.findings = lint::check_image(out.inspect, view, lint::LintOptions{});
  return out;
}

}  // namespace pith::fleet
