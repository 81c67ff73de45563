// dynlib's loader: functions found in a loaded library; a library or function that cannot be
// loaded ends the process with one error line and pith's exit code for errors.
#include "dynlib/loader.h"

#include <gtest/gtest.h>

#include <cstring>

namespace pith::dynlib {
namespace {

TEST(Loader, FindsAFunctionOfTheLibrary) {
  const Library libc("libc.so.6");
  auto* length = libc.function<size_t(const char*)>("strlen");
  EXPECT_EQ(length("pith"), 4u);
}

TEST(LoaderDeathTest, ALibraryThatCannotBeLoadedEndsTheProcessWithOneLine) {
  EXPECT_EXIT({ const Library absent("libpith-absent.so.0"); }, testing::ExitedWithCode(2),
              "^pith: error: libpith-absent\\.so\\.0 cannot be loaded: libpith-absent\\.so\\.0: "
              "cannot open shared object file: No such file or directory\n$");
}

TEST(LoaderDeathTest, AFunctionTheLibraryLacksEndsTheProcessWithOneLine) {
  EXPECT_EXIT(
      {
        const Library libc("libc.so.6");
        libc.symbol("pith_absent_function");
      },
      testing::ExitedWithCode(2),
      "^pith: error: libc\\.so\\.6 cannot be loaded: [^\n]*undefined symbol: "
      "pith_absent_function\n$");
}

}  // namespace
}  // namespace pith::dynlib
