// Declared licences to SPDX expressions, as the databases write them.
#include "sbom/license.h"

#include <gtest/gtest.h>

namespace pith::sbom {
namespace {

TEST(License, KnownIdentifiersInCanonicalCase) {
  EXPECT_EQ(to_spdx_license("mit").expression, "MIT");
  EXPECT_TRUE(to_spdx_license("mit").single);
  EXPECT_EQ(to_spdx_license("Apache-2.0 OR MIT").expression, "Apache-2.0 OR MIT");
  EXPECT_EQ(to_spdx_license("").expression, "");
}

TEST(License, GnuShortForms) {
  EXPECT_EQ(known_license_id("GPL-2+"), "GPL-2.0-or-later");
  EXPECT_EQ(known_license_id("GPLv2+"), "GPL-2.0-or-later");
  EXPECT_EQ(known_license_id("GPL2"), "GPL-2.0-only");
  EXPECT_EQ(known_license_id("LGPL-2.1+"), "LGPL-2.1-or-later");
  EXPECT_EQ(known_license_id("LGPLv2"), "LGPL-2.0-only");
  EXPECT_EQ(known_license_id("GPL-3.0-or-later"), "GPL-3.0-or-later");
  EXPECT_EQ(known_license_id("AGPL-3"), "AGPL-3.0-only");
  EXPECT_EQ(known_license_id("GPL-4"), std::nullopt);
  EXPECT_EQ(known_license_id("Expat"), "MIT");
  EXPECT_EQ(known_license_id("MPL-1.1+"), "MPL-1.1+");
}

TEST(License, ApkListsAreAnd) {
  // Alpine's older L: fields list licences with blanks only.
  auto l = to_spdx_license("MIT BSD GPL2+");
  EXPECT_EQ(l.expression, "MIT AND LicenseRef-BSD AND GPL-2.0-or-later");
  ASSERT_EQ(l.refs.size(), 1u);
  EXPECT_EQ(l.refs[0].id, "LicenseRef-BSD");
  EXPECT_EQ(l.refs[0].name, "BSD");
  EXPECT_FALSE(l.single);
}

TEST(License, FedoraAndDebianOperators) {
  EXPECT_EQ(to_spdx_license("GPLv2+ and LGPLv2+").expression,
            "GPL-2.0-or-later AND LGPL-2.0-or-later");
  EXPECT_EQ(to_spdx_license("(GPL-2+ or Artistic) and public-domain").expression,
            "(GPL-2.0-or-later OR LicenseRef-Artistic) AND LicenseRef-public-domain");
  EXPECT_EQ(to_spdx_license("GPL-2.0-only WITH Classpath-exception-2.0").expression,
            "GPL-2.0-only WITH Classpath-exception-2.0");
}

TEST(License, UnknownExceptionsMakeOneRef) {
  // bash's copyright file in Debian 12 has "License: GPL-3+ with Bison exception".
  auto l = to_spdx_license("GPL-2+ AND (GPL-3+ with Bison exception) AND MIT");
  EXPECT_EQ(l.expression, "GPL-2.0-or-later AND (LicenseRef-GPL-3--with-Bison-exception) AND MIT");
  ASSERT_EQ(l.refs.size(), 1u);
  EXPECT_EQ(l.refs[0].name, "GPL-3+ with Bison exception");
  EXPECT_TRUE(to_spdx_license("GPL with some exception").single);
}

TEST(License, UnparsableTextIsOneRef) {
  auto l = to_spdx_license("GPL and and MIT");
  EXPECT_EQ(l.expression, "LicenseRef-GPL-and-and-MIT");
  ASSERT_EQ(l.refs.size(), 1u);
  EXPECT_EQ(l.refs[0].name, "GPL and and MIT");
  EXPECT_TRUE(l.single);
  EXPECT_EQ(to_spdx_license("((MIT)").expression, "LicenseRef-----MIT--");
  EXPECT_EQ(to_spdx_license("and").expression, "LicenseRef-and");
}

}  // namespace
}  // namespace pith::sbom
