#include "lint/command.h"

#include <gtest/gtest.h>

namespace pith::lint {
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

// dash and bash run the commands behind the reserved words; a word that is quoted, or not
// first in a command, is an ordinary word.
TEST(ShellCommands, ReservedWordsAreNoCommands) {
  EXPECT_EQ(shell_commands("if [ -f main.py ]; then exec python3 main.py; else exit 1; fi"),
            (Words{{"[", "-f", "main.py", "]"}, {"exec", "python3", "main.py"}, {"exit", "1"}}));
  EXPECT_EQ(shell_commands("while ! pg_isready; do sleep 1; done; exec srv"),
            (Words{{"pg_isready"}, {"sleep", "1"}, {"exec", "srv"}}));
  EXPECT_EQ(shell_commands("for f in a b; do gzip \"$f\"; done"), (Words{{"gzip", "$f"}}));
  EXPECT_EQ(shell_commands("case \"$1\" in start) exec srv;; esac"), (Words{{"exec", "srv"}}));
  EXPECT_EQ(shell_commands("{ cd /app; exec node .; }"),
            (Words{{"cd", "/app"}, {"exec", "node", "."}}));
  EXPECT_EQ(shell_commands("'if' x; \\fi y; echo done"),
            (Words{{"if", "x"}, {"fi", "y"}, {"echo", "done"}}));
}

TEST(ShellCommands, NoneInALineNoExecTakes) {
  EXPECT_EQ(shell_commands(std::string(k_max_arg_bytes - 3, 'x') + " ls"),
            (Words{{std::string(k_max_arg_bytes - 3, 'x'), "ls"}}));
  EXPECT_EQ(shell_commands(std::string(k_max_arg_bytes + 1, ';')), Words{});
}

TEST(ShellCommands, ProgramWordAndBuiltins) {
  using Line = std::vector<std::string>;
  EXPECT_EQ(program_word(Line{"A=1", "B=", "exec", "python3", "x"}), 3u);
  EXPECT_EQ(program_word(Line{"command", "-v", "curl"}), 1u);
  EXPECT_EQ(program_word(Line{"A=1"}), 1u);
  EXPECT_EQ(program_word(Line{"=x", "ls"}), 0u);  // no name before '=': a word, not an assignment
  EXPECT_TRUE(shell_builtin("cd"));
  EXPECT_TRUE(shell_builtin("["));
  EXPECT_TRUE(shell_builtin("."));
  EXPECT_FALSE(shell_builtin("source"));  // bash's; dash answers "source: not found"
  EXPECT_FALSE(shell_builtin("python3"));
}

}  // namespace
}  // namespace pith::lint
