#include "slim/command.h"

#include <gtest/gtest.h>

namespace pith::slim {
namespace {

using Words = std::vector<std::vector<std::string>>;

TEST(ShellCommands, SplitOnOperatorsWithQuotesRemoved) {
  EXPECT_EQ(shell_commands("A=1 exec python3 \"a b.py\" && ls -l; echo 'x;y' | wc"),
            (Words{{"A=1", "exec", "python3", "a b.py"}, {"ls", "-l"}, {"echo", "x;y"}, {"wc"}}));
  EXPECT_EQ(shell_commands("cd /srv && exec node index.js\n"),
            (Words{{"cd", "/srv"}, {"exec", "node", "index.js"}}));
  EXPECT_EQ(shell_commands("a\\ b c"), (Words{{"a b", "c"}}));
  EXPECT_EQ(shell_commands(""), Words{});
  EXPECT_EQ(shell_commands("'unclosed"), (Words{{"unclosed"}}));
}

}  // namespace
}  // namespace pith::slim
