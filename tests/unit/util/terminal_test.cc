// LiveArea, the one writer of the terminal: lasting lines scroll up and stay, live lines are
// replaced in place (cursor up over the last ones, erase to the end of the screen), lines are cut
// to the width, and clear() erases the live lines.
#include "util/terminal.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace pith {
namespace {

std::string drawn(std::FILE* f) {
  std::fflush(f);
  std::string s(static_cast<size_t>(std::ftell(f)), '\0');
  std::rewind(f);
  EXPECT_EQ(std::fread(s.data(), 1, s.size(), f), s.size());
  return s;
}

TEST(LiveArea, RedrawsLiveLinesInPlace) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    LiveArea area(f, 30);
    area.draw({"done one"}, {"live a", "total"});
    area.draw({}, {"live b"});
    area.draw({}, {std::string(40, 'x')});
    area.clear();
    area.clear();  // nothing left to erase: nothing written
  }
  EXPECT_EQ(drawn(f),
            "\033[Jdone one\nlive a\ntotal\n"
            "\r\033[2A\033[Jlive b\n"
            "\r\033[1A\033[J" +
                std::string(29, 'x') +
                "\n"
                "\r\033[1A\033[J");
  std::fclose(f);
}

TEST(LiveArea, OnAStreamThatIsNoTerminalDrawsNothing) {
  // The default area draws on stderr only when it is a terminal; under ctest it is not.
  LiveArea area;
  EXPECT_FALSE(area.enabled());
  area.draw({"x"}, {"y"});  // no effect, no crash
}

}  // namespace
}  // namespace pith
