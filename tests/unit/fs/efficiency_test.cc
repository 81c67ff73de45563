// Layer waste: dive's numbers on dive's own fixture, bit for bit; reclaimable bytes checked
// against a real extraction with GNU tar and against hand-worked layer lists.
#include "fs/efficiency.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <optional>

#include "fs/tree.h"
#include "shell.h"
#include "test_paths.h"
#include "transport/reference.h"

namespace pith::fs {
namespace {

using tar::Entry;
using tar::EntryType;

Entry file(std::string path, uint64_t size) {
  Entry e;
  e.path = std::move(path);
  e.size = size;
  return e;
}

Entry dir(std::string path) {
  Entry e;
  e.path = std::move(path);
  e.type = EntryType::directory;
  return e;
}

Entry hardlink(std::string path, std::string target) {
  Entry e;
  e.path = std::move(path);
  e.type = EntryType::hardlink;
  e.link_target = std::move(target);
  return e;
}

Entry symlink(std::string path, std::string target) {
  Entry e = hardlink(std::move(path), std::move(target));
  e.type = EntryType::symlink;
  return e;
}

LayerEntries layer(std::vector<Entry> entries) {
  LayerEntries l;
  l.entries = std::move(entries);
  return l;
}

// Doubles compared by their bits; the 17 significant digits make a failure readable.
std::string bits(double d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g (0x%016llx)", d,
                static_cast<unsigned long long>(std::bit_cast<uint64_t>(d)));
  return buf;
}

std::string listing(const Efficiency& e) {
  std::string out;
  for (const auto& p : e.inefficient)
    out += p.path + ":" + std::to_string(p.count) + ":" + std::to_string(p.cumulative_bytes) + " ";
  return out;
}

Result<std::vector<LayerEntries>> load(const std::string& path) {
  auto src = TRY(transport::open_source(TRY(transport::parse_reference(path))));
  auto img = TRY(transport::resolve_image(*src, std::nullopt));
  return read_layers(*src, img);
}

Efficiency efficiency_of(const std::string& corpus_path) {
  auto layers = load(test::corpus(corpus_path));
  EXPECT_TRUE(layers.ok()) << (layers.ok() ? "" : layers.error().message);
  return layers.ok() ? compute_efficiency(*layers).value() : Efficiency{};
}

// The other method: extract the layers in order with GNU tar into a directory (whiteouts and
// opaque markers applied with rm/find first), then subtract the regular-file bytes left there
// (each inode once, so hard links count once) from the regular-file bytes the layers store.
std::optional<uint64_t> reclaimable_by_extraction(const std::string& image) {
  const std::string script = R"(
set -e
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/img" "$work/root"
tar -xf "$0" -C "$work/img"
stored=0
for layer in $(grep -o '"[^"]*/layer.tar"' "$work/img/manifest.json" | tr -d '"'); do
  t=$(tar -tvf "$work/img/$layer" | awk '$1 ~ /^-/ {s += $3} END {print s + 0}')
  stored=$((stored + t))
  tar -tf "$work/img/$layer" | { grep '\.wh\.' || true; } | while read -r p; do
    p=${p#./}; d=$(dirname "$p"); b=$(basename "$p")
    if [ "$b" = .wh..wh..opq ]; then find "$work/root/$d" -mindepth 1 -delete
    else rm -rf "$work/root/$d/${b#.wh.}"; fi
  done
  tar -xf "$work/img/$layer" -C "$work/root" --exclude='.wh.*'
done
visible=$(find "$work/root" -type f -printf '%i %s\n' | sort -u | awk '{s += $2} END {print s + 0}')
echo $((stored - visible))
)";
  int status = 0;
  std::string out = test::run_capture(
      "bash -c " + test::shell_quote(script) + " " + test::shell_quote(image), &status);
  if (status != 0 || out.empty()) return std::nullopt;
  return std::stoull(out);
}

TEST(Efficiency, DiveFixtureMatchesDiveBitForBit) {
  // dive/image/docker/image_archive_analysis_test.go
  Efficiency e = efficiency_of("dive/test-docker-image.tar");
  EXPECT_EQ(e.size_bytes, 1220598u);
  EXPECT_EQ(e.user_size_bytes, 66237u);
  EXPECT_EQ(e.wasted_bytes, 32025u);
  EXPECT_EQ(bits(e.score), bits(0.9844212134184309));
  EXPECT_EQ(bits(e.user_wasted_percent), bits(0.4834911001404049));
  // Two copies of somefile1.txt (cp, then chmod) and of saved.txt (mv, then chmod +x) count
  // whole; somefile3.txt once (its whiteout adds 0).
  EXPECT_EQ(listing(e),
            "root/example/somefile3.txt:2:6405 root/example/somefile1.txt:2:12810 "
            "root/saved.txt:2:12810 ");
}

TEST(Efficiency, DiveFixtureReclaimableMatchesExtraction) {
  // By hand from the history (every copy is of the 6405-byte somefile.txt): somefile1.txt
  // twice (overwritten by chmod, then deleted with root/example), somefile2.txt and
  // somefile3.txt (deleted), root/saved.txt as first written (overwritten by chmod +x).
  Efficiency e = efficiency_of("dive/test-docker-image.tar");
  EXPECT_EQ(e.reclaimable_bytes, 5u * 6405u);
  auto by_tar = reclaimable_by_extraction(test::corpus("dive/test-docker-image.tar"));
  ASSERT_TRUE(by_tar.has_value());
  EXPECT_EQ(e.reclaimable_bytes, *by_tar);
}

TEST(Efficiency, GgcrWhiteoutImage) {
  // Layer 0: bar.txt and foo.txt, 4 bytes each; layer 1: .wh.foo.txt; layer 2: empty.
  const std::string path = "go-containerregistry/pkg/v1/mutate/testdata/whiteout_image.tar";
  Efficiency e = efficiency_of(path);
  EXPECT_EQ(e.reclaimable_bytes, 4u);
  EXPECT_EQ(reclaimable_by_extraction(test::corpus(path)), std::optional<uint64_t>(4));
  EXPECT_EQ(e.size_bytes, 8u);
  EXPECT_EQ(e.user_size_bytes, 0u);
  EXPECT_EQ(e.wasted_bytes, 4u);
  EXPECT_EQ(bits(e.score), bits(0.5));             // (bar 4 + foo 0) / (bar 4 + foo 4 + 0)
  EXPECT_TRUE(std::isinf(e.user_wasted_percent));  // 4 / 0, as dive divides
  EXPECT_EQ(listing(e), "foo.txt:2:4 ");
}

TEST(Efficiency, GgcrOverwrittenFile) {
  // Layer 0: foo.txt, 4 bytes; layer 1: bar.txt (4 bytes) and foo.txt -> bar.txt; layer 2: empty.
  const std::string path = "go-containerregistry/pkg/v1/mutate/testdata/overwritten_file.tar";
  Efficiency e = efficiency_of(path);
  EXPECT_EQ(e.reclaimable_bytes, 4u);
  EXPECT_EQ(reclaimable_by_extraction(test::corpus(path)), std::optional<uint64_t>(4));
  EXPECT_EQ(e.size_bytes, 8u);
  EXPECT_EQ(e.user_size_bytes, 4u);
  EXPECT_EQ(e.wasted_bytes, 4u);
  EXPECT_EQ(bits(e.score), bits(0.5));  // (foo 0 + bar 4) / (foo 4 + 0 + bar 4)
  EXPECT_EQ(bits(e.user_wasted_percent), bits(1.0));
}

TEST(Efficiency, FileOverwrittenTwice) {
  std::vector<LayerEntries> layers = {layer({dir("a"), file("a/f", 10)}),
                                      layer({dir("a"), file("a/f", 20)}),
                                      layer({dir("a"), file("a/f", 30)})};
  Efficiency e = compute_efficiency(layers).value();
  EXPECT_EQ(e.reclaimable_bytes, 30u);  // the 10 and the 20; the 30 is what remains
  EXPECT_EQ(e.wasted_bytes, 60u);       // dive counts the kept copy too
  EXPECT_EQ(bits(e.score), bits(10.0 / 60.0));
  EXPECT_EQ(e.size_bytes, 60u);
  EXPECT_EQ(e.user_size_bytes, 50u);
  EXPECT_EQ(bits(e.user_wasted_percent), bits(60.0 / 50.0));
  EXPECT_EQ(listing(e), "a/f:3:60 ");
}

TEST(Efficiency, DeletedDirectory) {
  std::vector<LayerEntries> layers = {
      layer({dir("d"), file("d/x", 100), dir("d/sub"), file("d/sub/y", 50), file("keep", 7)}),
      layer({file(".wh.d", 0), file("new", 3)})};
  Efficiency e = compute_efficiency(layers).value();
  EXPECT_EQ(e.reclaimable_bytes, 150u);
  // dive sizes the whiteout as the whole lower directory (150) but, seeing "d" as a leaf only
  // once, calls nothing wasted.
  EXPECT_EQ(e.wasted_bytes, 0u);
  EXPECT_EQ(bits(e.score), bits(1.0));  // (50 + 100 + 7 + 150 + 3) / the same
  EXPECT_EQ(e.size_bytes, 160u);
  EXPECT_EQ(e.user_size_bytes, 3u);
  EXPECT_EQ(bits(e.user_wasted_percent), bits(0.0));
  EXPECT_EQ(listing(e), "");
}

TEST(Efficiency, OpaqueWhiteout) {
  std::vector<LayerEntries> layers = {
      layer({dir("d"), file("d/a", 40), file("d/b", 60), file("e", 1)}),
      layer({dir("d"), file("d/.wh..wh..opq", 0), file("d/b", 70)})};
  Efficiency e = compute_efficiency(layers).value();
  EXPECT_EQ(e.reclaimable_bytes, 100u);  // d/a and the old d/b, both hidden
  // dive ignores opaque markers: only d/b, seen twice, is waste.
  EXPECT_EQ(e.wasted_bytes, 130u);
  EXPECT_EQ(bits(e.score), bits(101.0 / 171.0));  // (40 + 60 + 1) / (40 + 60 + 70 + 1)
  EXPECT_EQ(e.size_bytes, 171u);
  EXPECT_EQ(e.user_size_bytes, 70u);
  EXPECT_EQ(bits(e.user_wasted_percent), bits(130.0 / 70.0));
  EXPECT_EQ(listing(e), "d/b:2:130 ");
}

TEST(Efficiency, FileReplacedByDirectory) {
  std::vector<LayerEntries> layers = {layer({file("x", 25), file("y", 4)}),
                                      layer({dir("x"), file("x/inner", 9)})};
  Efficiency e = compute_efficiency(layers).value();
  EXPECT_EQ(e.reclaimable_bytes, 25u);
  EXPECT_EQ(e.wasted_bytes, 0u);  // "x" is a leaf in layer 0 only
  EXPECT_EQ(bits(e.score), bits(1.0));
  EXPECT_EQ(e.size_bytes, 38u);
  EXPECT_EQ(e.user_size_bytes, 9u);
}

TEST(Efficiency, DirectoryReplacedByFile) {
  std::vector<LayerEntries> layers = {layer({dir("z"), file("z/c", 11), file("z/d", 12)}),
                                      layer({file("z", 2)})};
  Efficiency e = compute_efficiency(layers).value();
  EXPECT_EQ(e.reclaimable_bytes, 23u);  // z/c and z/d go with the directory
  EXPECT_EQ(e.wasted_bytes, 0u);
  EXPECT_EQ(bits(e.score), bits(1.0));
}

TEST(Efficiency, HardLinksAddNoBytesAndKeepTheirContentVisible) {
  LayerEntries base = layer({dir("bin"), file("bin/busybox", 1000),
                             hardlink("bin/sh", "bin/busybox"), hardlink("bin/ls", "bin/busybox")});
  LayerEntries drop_name = layer({dir("bin"), file("bin/.wh.busybox", 0)});
  LayerEntries drop_links = layer({dir("bin"), file("bin/.wh.sh", 0), file("bin/.wh.ls", 0)});

  EXPECT_EQ(compute_efficiency({base}).value().reclaimable_bytes, 0u);
  EXPECT_EQ(compute_efficiency({base}).value().size_bytes, 1000u);  // links have no header size
  // The name goes, the content stays reachable through bin/sh and bin/ls.
  EXPECT_EQ(compute_efficiency({base, drop_name}).value().reclaimable_bytes, 0u);

  Efficiency e = compute_efficiency({base, drop_name, drop_links}).value();
  EXPECT_EQ(e.reclaimable_bytes, 1000u);
  // dive: busybox 1000 + its whiteout 0; ls and sh 0 + 0 each. Ties keep discovery order.
  EXPECT_EQ(e.wasted_bytes, 1000u);
  EXPECT_EQ(bits(e.score), bits(0.0));
  EXPECT_TRUE(std::isinf(e.user_wasted_percent));
  EXPECT_EQ(listing(e), "bin/ls:2:0 bin/sh:2:0 bin/busybox:2:1000 ");
}

TEST(Efficiency, HardLinkToALowerLayerKeepsItsContent) {
  std::vector<LayerEntries> layers = {layer({file("data", 300), file("other", 5)}),
                                      layer({hardlink("alias", "data")}),
                                      layer({file(".wh.data", 0), symlink("other", "alias")})};
  EXPECT_EQ(compute_efficiency(layers).value().reclaimable_bytes, 5u);  // only "other"'s bytes
}

TEST(Efficiency, SameLayerRewriteCounts) {
  // A tar that names a path twice: extraction keeps the second, the first is stored for nothing.
  std::vector<LayerEntries> layers = {layer({file("f", 8), file("f", 3)})};
  EXPECT_EQ(compute_efficiency(layers).value().reclaimable_bytes, 8u);
}

TEST(Efficiency, DiveQuirkWhiteoutOfNothingStopsTheLayerWalk) {
  // dive's GetNode fails for "zzz", which ends layer 1's walk before "b" (".wh.zzz" sorts
  // first) and leaves "zzz" with its -1 "no size yet", which the score still adds: 9 / 10.
  std::vector<LayerEntries> layers = {layer({file("a", 10)}),
                                      layer({file(".wh.zzz", 0), file("b", 5)})};
  Efficiency e = compute_efficiency(layers).value();
  EXPECT_EQ(bits(e.score), bits(9.0 / 10.0));
  EXPECT_EQ(e.size_bytes, 15u);
  EXPECT_EQ(e.wasted_bytes, 0u);
  EXPECT_EQ(e.reclaimable_bytes, 0u);
}

TEST(Efficiency, WorkedExampleOfTheDocs) {
  // docs/efficiency.md, "Worked example".
  std::vector<LayerEntries> layers = {
      layer({dir("app"), file("app/lib.so", 100), file("app/cfg", 10), dir("cache"),
             file("cache/a", 50), file("cache/b", 30)}),
      layer({dir("app"), file("app/cfg", 12), file(".wh.cache", 0)}),
      layer({dir("app"), file("app/cfg", 12)})};
  Efficiency e = compute_efficiency(layers).value();
  EXPECT_EQ(bits(e.score), bits(0.9183673469387755));
  EXPECT_EQ(e.size_bytes, 214u);
  EXPECT_EQ(e.user_size_bytes, 24u);
  EXPECT_EQ(e.wasted_bytes, 34u);
  EXPECT_EQ(bits(e.user_wasted_percent), bits(1.4166666666666667));
  EXPECT_EQ(listing(e), "app/cfg:3:34 ");
  EXPECT_EQ(e.reclaimable_bytes, 102u);
}

TEST(Efficiency, NoLayers) {
  Efficiency e = compute_efficiency({}).value();
  EXPECT_EQ(bits(e.score), bits(1.0));
  EXPECT_EQ(e.reclaimable_bytes, 0u);
  EXPECT_TRUE(std::isnan(e.user_wasted_percent));  // 0 / 0, as in dive
}

TEST(Efficiency, SquashedTreeGivenGivesTheSameMeasures) {
  // inspect hands over the tree it squashed, so that the reclaimable bytes need no second
  // squash: every case above, and the dive fixture, measures the same with it as without.
  std::vector<std::vector<LayerEntries>> cases = {
      {layer({dir("bin"), file("bin/busybox", 1000), hardlink("bin/sh", "bin/busybox"),
              hardlink("bin/ls", "bin/busybox")}),
       layer({dir("bin"), file("bin/.wh.busybox", 0)}),
       layer({dir("bin"), file("bin/.wh.sh", 0), file("bin/.wh.ls", 0)})},
      {layer({file("data", 300), file("other", 5)}), layer({hardlink("alias", "data")}),
       layer({file(".wh.data", 0), symlink("other", "alias")})},
      {layer({file("f", 8), file("f", 3)})},
      {layer({dir("app"), file("app/lib.so", 100), file("app/cfg", 10), dir("cache"),
              file("cache/a", 50), file("cache/b", 30)}),
       layer({dir("app"), file("app/cfg", 12), file(".wh.cache", 0)}),
       layer({dir("app"), file("app/cfg", 12)})},
      {}};
  auto dive = load(test::corpus("dive/test-docker-image.tar"));
  ASSERT_TRUE(dive.ok()) << dive.error().message;
  cases.push_back(std::move(*dive));
  for (size_t i = 0; i < cases.size(); ++i) {
    Tree tree;
    for (size_t l = 0; l < cases[i].size(); ++l)
      ASSERT_TRUE(tree.apply_layer(l, cases[i][l].entries).ok());
    Efficiency alone = compute_efficiency(cases[i]).value();
    Efficiency given = compute_efficiency(cases[i], &tree).value();
    EXPECT_EQ(given.reclaimable_bytes, alone.reclaimable_bytes) << "case " << i;
    EXPECT_EQ(bits(given.score), bits(alone.score)) << "case " << i;
    EXPECT_EQ(listing(given), listing(alone)) << "case " << i;
  }
}

}  // namespace
}  // namespace pith::fs
