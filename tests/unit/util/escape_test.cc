// escape_text against what GNU tar 1.34 prints for the same names (`tar -tf`, its default
// "escape" quoting), byte for byte.
#include "util/escape.h"

#include <gtest/gtest.h>

namespace pith {
namespace {

TEST(EscapeText, AsGnuTarListsNames) {
  EXPECT_EQ(escape_text("a\nb"), "a\\nb");
  EXPECT_EQ(escape_text("e\x1b[2Jx"), "e\\033[2Jx");
  EXPECT_EQ(escape_text("back\\slash"), "back\\\\slash");
  EXPECT_EQ(escape_text("tab\tc"), "tab\\tc");
  EXPECT_EQ(escape_text("\xc3\xbc-ok"), "\xc3\xbc-ok");  // UTF-8 text is kept
  EXPECT_EQ(escape_text("bad\xff"), "bad\\377");
  EXPECT_EQ(escape_text("c1\xc2\x9bx"), "c1\\302\\233x");  // U+009B, the 8-bit CSI
  EXPECT_EQ(escape_text("del\x7f"), "del\\177");
}

TEST(EscapeText, EveryControlAndBrokenSequence) {
  EXPECT_EQ(escape_text(std::string("\0\a\b\v\f\r", 6)), "\\000\\a\\b\\v\\f\\r");
  EXPECT_EQ(escape_text("plain text, spaces kept"), "plain text, spaces kept");
  EXPECT_EQ(escape_text("\xe2\x82\xac"), "\xe2\x82\xac");              // U+20AC
  EXPECT_EQ(escape_text("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");      // U+1F600
  EXPECT_EQ(escape_text("\xe2\x82"), "\\342\\202");                    // cut short
  EXPECT_EQ(escape_text("\xc0\xaf"), "\\300\\257");                    // overlong '/'
  EXPECT_EQ(escape_text("\xed\xa0\x80"), "\\355\\240\\200");           // a surrogate
  EXPECT_EQ(escape_text("\xf4\x90\x80\x80"), "\\364\\220\\200\\200");  // above U+10FFFF
  EXPECT_EQ(escape_text("\xc2\xa0"), "\xc2\xa0");                      // U+00A0 is no control
}

}  // namespace
}  // namespace pith
