// Debian copyright files: the License: names of machine-readable ones, nothing of the others.
#include "sbom/copyright.h"

#include <gtest/gtest.h>

namespace pith::sbom {
namespace {

TEST(Copyright, MachineReadable) {
  // The shape of bash's /usr/share/doc/bash/copyright in Debian 12, shortened.
  std::string text =
      "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
      "Upstream-Name: bash\n"
      "\n"
      "Files: *\n"
      "Copyright: (C) 1987-2022 Free Software Foundation, Inc.\n"
      "License: GPL-3+\n"
      "\n"
      "Files: lib/sh/inet_aton.c\n"
      "license: BSD-4-clause-UC\n"
      "\n"
      "Files: lib/x.c\n"
      "License: bsd-4-Clause-uc\n"
      "\n"
      "License: GPL-3+\n"
      " This program is free software; you can redistribute it\n"
      " License: not a field\n";
  EXPECT_EQ(parse_debian_copyright(text), (std::vector<std::string>{"GPL-3+", "BSD-4-clause-UC"}));
}

TEST(Copyright, NotMachineReadable) {
  EXPECT_TRUE(parse_debian_copyright("This is the Debian GNU/Linux prepackaged version.\n"
                                     "License: GPL-2\n")
                  .empty());
  EXPECT_TRUE(parse_debian_copyright("").empty());
}

TEST(Copyright, Bounds) {
  std::string text = "Format: x\n";
  for (int i = 0; i < 100; ++i) text += "License: L" + std::to_string(i) + "\n";
  text += "License: " + std::string(300, 'x') + "\n";
  EXPECT_EQ(parse_debian_copyright(text).size(), k_max_copyright_licenses);
  EXPECT_TRUE(
      parse_debian_copyright("Format: x\nLicense: " + std::string(300, 'x') + "\n").empty());
  EXPECT_TRUE(parse_debian_copyright(std::string(k_max_copyright_bytes + 1, '\n')).empty());
}

}  // namespace
}  // namespace pith::sbom
