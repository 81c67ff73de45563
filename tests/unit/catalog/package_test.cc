// Package type names follow the purl-spec types.
#include "catalog/package.h"

#include <gtest/gtest.h>

namespace pith::catalog {
namespace {

TEST(Package, TypeNames) {
  EXPECT_EQ(type_name(PackageType::deb), "deb");
  EXPECT_EQ(type_name(PackageType::pypi), "pypi");
  EXPECT_TRUE(is_os_package(PackageType::rpm));
  EXPECT_FALSE(is_os_package(PackageType::golang));
}

}  // namespace
}  // namespace pith::catalog
