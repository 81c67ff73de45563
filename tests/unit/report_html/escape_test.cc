// Image text in the page: entity escaping for markup, and the JSON data block that no name,
// command or package can end early.
#include "report_html/escape.h"

#include <gtest/gtest.h>

namespace pith::report_html {
namespace {

TEST(HtmlEscape, TheFiveCharacters) {
  EXPECT_EQ(html_escape(R"(a<b>&"c"'d')"), "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;");
  EXPECT_EQ(html_escape("</title><script>alert(1)</script>"),
            "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_EQ(html_escape("plain text / 1.0"), "plain text / 1.0");
}

TEST(HtmlEscape, Utf8KeptOtherBytesReplaced) {
  EXPECT_EQ(html_escape("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\xA6"),
            "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\xA6");
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(html_escape("a\xFF"
                        "b"),
            "a" + fffd + "b");
  EXPECT_EQ(html_escape("\xC0\xAF"), fffd + fffd);                        // overlong "/"
  EXPECT_EQ(html_escape("\xED\xA0\x80"), fffd + fffd + fffd);             // a surrogate
  EXPECT_EQ(html_escape("\xE2\x82"), fffd + fffd);                        // cut short
  EXPECT_EQ(html_escape("\xF4\x90\x80\x80"), fffd + fffd + fffd + fffd);  // above U+10FFFF
}

TEST(ScriptJson, NothingCanEndTheBlock) {
  nlohmann::json j = {{"name", "</script><script>alert(\"x\")</script>"},
                      {"cmd", "/bin/sh -c echo a && b > c <!-- d"}};
  EXPECT_EQ(script_json(j),
            R"({"cmd":"/bin/sh -c echo a \u0026\u0026 b \u003e c \u003c!-- d",)"
            R"("name":"\u003c/script\u003e\u003cscript\u003ealert(\"x\")\u003c/script\u003e"})");
}

TEST(ScriptJson, LineSeparatorsAndControlsEscaped) {
  nlohmann::json j =
      "a\xE2\x80\xA8"
      "b\xE2\x80\xA9"
      "c\n\x1b[0m";
  EXPECT_EQ(script_json(j), R"("a\u2028b\u2029c\n\u001b[0m")");
}

TEST(ScriptJson, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  nlohmann::json j = std::string("a\xFF") + "b";
  EXPECT_EQ(script_json(j),
            "\"a\xEF\xBF\xBD"
            "b\"");
}

TEST(ScriptJson, ParsesBackToTheSameValues) {
  nlohmann::json j = {{"n", "</script>&<>'\"\xE2\x80\xA8"},
                      {"b", 12345678901234ULL},
                      {"c", nlohmann::json::array({1, "x<y"})}};
  EXPECT_EQ(nlohmann::json::parse(script_json(j)), j);
}

}  // namespace
}  // namespace pith::report_html
