// What the page shows of an image: bytes each layer adds and later layers hide, the packages
// that own files (a package's /bin/tool found through a merged-/usr symlink), and the whole page
// with hostile text in it.
#include "report_html/page_data.h"

#include <gtest/gtest.h>

#include "report_html/page.h"

namespace pith::report_html {
namespace {

struct Image {
  std::vector<std::vector<tar::Entry>> layers;
  std::vector<lint::LayerFacts> facts;

  void add(size_t layer, const std::string& path, tar::EntryType type, std::string bytes = "",
           std::string target = "") {
    if (layers.size() <= layer) {
      layers.resize(layer + 1);
      facts.resize(layer + 1);
    }
    tar::Entry e;
    e.path = path;
    e.type = type;
    e.mode = 0644;
    e.size = type == tar::EntryType::regular ? bytes.size() : 0;
    e.link_target = target;
    layers[layer].push_back(e);
    if (type == tar::EntryType::regular && lint::wanted(e) != fs::Want::nothing)
      lint::collect(fs::CapturedFile{path, bytes, e.mode}, facts[layer]);
  }
  lint::ImageView view() {
    fs::Tree tree;
    for (size_t i = 0; i < layers.size(); ++i) EXPECT_TRUE(tree.apply_layer(i, layers[i]));
    return lint::ImageView("v", std::move(tree), facts, {});
  }
};

class PageDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Layer 0: a merged-/usr system whose dpkg list names /bin/tool; layer 1 replaces the app.
    m_image.add(0, "usr/bin/tool", tar::EntryType::regular, std::string(1000, 'x'));
    m_image.add(0, "bin", tar::EntryType::symlink, "", "usr/bin");
    m_image.add(0, "var/lib/dpkg/info/tool.list", tar::EntryType::regular,
                "/.\n/bin\n/bin/tool\n");  // 18 bytes
    m_image.add(0, "opt/app/server", tar::EntryType::regular, std::string(600, 'a'));
    m_image.add(1, "opt/app/server", tar::EntryType::regular, std::string(700, 'b'));
    catalog::Package tool;
    tool.name = "tool";
    tool.version = "1.0-1";
    tool.installed_size = 2048;
    tool.files = {"/bin/tool"};  // from its list, by report::merge_packages
    m_lint.image.reference = "docker-archive:x.tar";
    m_lint.image.packages.push_back({tool, 0});
    m_lint.image.layers.resize(2);
    m_lint.image.layers[0].added_bytes = 1618;
    m_lint.image.layers[0].created_by = "/bin/sh -c #(nop) ADD file:abc in /";
    m_lint.image.layers[1].added_bytes = 700;
    m_lint.image.layers[1].created_by = "COPY server /opt/app/";
  }
  Image m_image;
  lint::LintReport m_lint;
};

TEST_F(PageDataTest, TreeFacts) {
  lint::ImageView view = m_image.view();
  TreeFacts facts = tree_facts(m_lint.image, view);
  EXPECT_EQ(facts.visible_bytes, (std::vector<uint64_t>{1018, 700}));
  EXPECT_EQ(facts.package_bytes, (std::vector<uint64_t>{1000}));
  EXPECT_EQ(facts.package_files, (std::vector<uint64_t>{1}));
  EXPECT_EQ(facts.treemap.bytes, 1718u);
  // usr/bin/tool is the package's: usr is coloured by it (1000 of usr's 1000 bytes).
  // usr, opt, var (dpkg's 18-byte list), and "bin" (a symlink, no bytes) merged.
  ASSERT_EQ(facts.treemap.children.size(), 4u);
  EXPECT_EQ(facts.treemap.children[0].name, "usr");
  EXPECT_EQ(facts.treemap.children[0].package, std::optional<size_t>(0));
  EXPECT_EQ(facts.treemap.children[1].name, "opt");
  EXPECT_EQ(facts.treemap.children[1].package, std::nullopt);
  EXPECT_EQ(facts.treemap.children[2].name, "var");
  EXPECT_EQ(facts.treemap.children[2].bytes, 18u);
  EXPECT_EQ(facts.treemap.children[3].kind, TreemapNode::Kind::other);
}

TEST_F(PageDataTest, ImageData) {
  lint::ImageView view = m_image.view();
  TreeFacts facts = tree_facts(m_lint.image, view);
  m_lint.findings.push_back(lint::finding("PL302", "", "1 files are owned by no package"));
  nlohmann::json j = image_data(m_lint, facts);
  EXPECT_EQ(j["layers"][0]["added_bytes"], 1618);
  EXPECT_EQ(j["layers"][0]["wasted_bytes"], 600);  // the server layer 1 replaced
  EXPECT_EQ(j["layers"][1]["wasted_bytes"], 0);
  EXPECT_EQ(j["layers"][1]["created_by"], "COPY server /opt/app/");
  EXPECT_EQ(j["packages"][0], (nlohmann::json{{"name", "tool"},
                                              {"version", "1.0-1"},
                                              {"type", "deb"},
                                              {"layer", 0},
                                              {"installed_size", 2048},
                                              {"bytes", 1000},
                                              {"files", 1}}));
  EXPECT_EQ(j["findings"][0]["id"], "PL302");
  EXPECT_EQ(j["findings"][0]["severity"], "info");
  EXPECT_EQ(j["summary"]["findings"], (nlohmann::json{{"error", 0}, {"warn", 0}, {"info", 1}}));
  EXPECT_EQ(j["summary"]["user"], "root");
  EXPECT_EQ(j["treemap"]["b"], 1718);
  EXPECT_EQ(j["treemap"]["c"][0]["n"], "usr");
  EXPECT_EQ(j["treemap"]["c"][0]["p"], 0);
}

TEST_F(PageDataTest, LongCommandsAreCut) {
  m_lint.image.layers[1].created_by = std::string(5000, 'c');
  nlohmann::json j = image_data(m_lint, {});
  EXPECT_EQ(j["layers"][1]["created_by"].get<std::string>().size(), k_max_command_bytes);
  EXPECT_EQ(j["layers"][1]["created_by_cut"], true);
  EXPECT_EQ(j["layers"][0]["created_by_cut"], false);
}

// Counts the occurrences of `what` in `text`.
size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST_F(PageDataTest, HostileTextStaysText) {
  const std::string hostile = "x</script><script>alert('\"pwned\"')</script>{{DATA}}";
  m_image.add(1, "opt/" + hostile, tar::EntryType::regular, "12345");
  m_lint.image.reference = "docker-archive:" + hostile;
  m_lint.image.layers[1].created_by = "RUN echo " + hostile;
  m_lint.image.packages[0].package.name = hostile;
  lint::ImageView view = m_image.view();
  TreeFacts facts = tree_facts(m_lint.image, view);
  std::string page = render_page({image_data(m_lint, facts)});
  // Two script blocks, each closed once: the template's own.
  EXPECT_EQ(occurrences(page, "</script"), 2u);
  EXPECT_EQ(occurrences(page, "<script"), 2u);
  EXPECT_NE(page.find("<title>pith report: docker-archive:x&lt;/script&gt;&lt;script&gt;alert("
                      "&#39;&quot;pwned&quot;&#39;)&lt;/script&gt;{{DATA}}</title>"),
            std::string::npos);
  // The data block parses back to the hostile strings, unchanged.
  const std::string open = "<script type=\"application/json\" id=\"pith-data\">";
  size_t start = page.find(open);
  ASSERT_NE(start, std::string::npos);
  start += open.size();
  size_t end = page.find("</script>", start);
  auto data = nlohmann::json::parse(page.substr(start, end - start));
  const auto& image = data["images"][0];
  EXPECT_EQ(image["reference"], "docker-archive:" + hostile);
  EXPECT_EQ(image["packages"][0]["name"], hostile);
  EXPECT_EQ(image["layers"][1]["created_by"], "RUN echo " + hostile);
  // A file name holds no "/": the hostile path is a chain of directories, each name intact.
  std::vector<std::string> chain;
  for (const auto& c : image["treemap"]["c"])
    if (c["n"] == "opt")
      for (const auto* at = &c; at->contains("c");) {
        const auto& last = (*at)["c"].back();  // 5 bytes after 700: the last child
        chain.push_back(last["n"]);
        at = &last;
      }
  EXPECT_EQ(chain, (std::vector<std::string>{"x<", "script><script>alert('\"pwned\"')<",
                                             "script>{{DATA}}"}));
}

TEST(PageTemplate, SelfContained) {
  std::string_view t = page_template();
  EXPECT_EQ(occurrences(std::string(t), "{{TITLE}}"), 1u);
  EXPECT_EQ(occurrences(std::string(t), "{{DATA}}"), 1u);
  // Nothing fetched: no src or href attribute, no URL but the SVG namespace's name.
  EXPECT_EQ(occurrences(std::string(t), "src="), 0u);
  EXPECT_EQ(occurrences(std::string(t), "href"), 0u);
  EXPECT_EQ(occurrences(std::string(t), "https://"), 0u);
  EXPECT_EQ(occurrences(std::string(t), "http://"), 1u);
  EXPECT_EQ(occurrences(std::string(t), "http://www.w3.org/2000/svg"), 1u);
  EXPECT_NE(t.find("default-src 'none'"), std::string_view::npos);
  EXPECT_NE(t.find("prefers-color-scheme: dark"), std::string_view::npos);
}

}  // namespace
}  // namespace pith::report_html
