// Media type roles, layer compression and the Docker -> OCI mapping.
#include "oci/media_types.h"

#include <gtest/gtest.h>

namespace pith::oci {
namespace {

using compress::Compression;

TEST(MediaTypes, Roles) {
  EXPECT_TRUE(is_index(media::oci_index));
  EXPECT_TRUE(is_index(media::docker_list));
  EXPECT_FALSE(is_index(media::oci_manifest));
  EXPECT_TRUE(is_manifest(media::oci_manifest));
  EXPECT_TRUE(is_manifest(media::docker_manifest));
  EXPECT_FALSE(is_manifest(media::docker_manifest_v1_signed));
  EXPECT_FALSE(is_manifest(""));
  EXPECT_TRUE(is_config(media::oci_config));
  EXPECT_TRUE(is_config(media::docker_config));
  EXPECT_FALSE(is_config(media::oci_empty));
}

TEST(MediaTypes, LayerCompression) {
  EXPECT_EQ(layer_compression(media::oci_layer), Compression::none);
  EXPECT_EQ(layer_compression(media::oci_layer_gzip), Compression::gzip);
  EXPECT_EQ(layer_compression(media::oci_layer_zstd), Compression::zstd);
  EXPECT_EQ(layer_compression(media::oci_layer_nd_zstd), Compression::zstd);
  EXPECT_EQ(layer_compression(media::docker_layer), Compression::none);
  EXPECT_EQ(layer_compression(media::docker_layer_gzip), Compression::gzip);
  EXPECT_EQ(layer_compression(media::docker_layer_foreign), Compression::gzip);
  EXPECT_EQ(layer_compression(media::docker_layer_zstd), Compression::zstd);
  EXPECT_EQ(layer_compression(media::oci_config), std::nullopt);
  EXPECT_EQ(layer_compression("application/vnd.oci.image.layer.v1.tar+bzip2"), std::nullopt);
}

TEST(MediaTypes, LayerMediaTypeRoundTrips) {
  for (Family f : {Family::oci, Family::docker})
    for (Compression c : {Compression::none, Compression::gzip, Compression::zstd})
      EXPECT_EQ(layer_compression(layer_media_type(f, c)), c);
  EXPECT_EQ(layer_media_type(Family::docker, Compression::gzip), media::docker_layer_gzip);
}

TEST(MediaTypes, ToOci) {
  EXPECT_EQ(to_oci(media::docker_list), media::oci_index);
  EXPECT_EQ(to_oci(media::docker_manifest), media::oci_manifest);
  EXPECT_EQ(to_oci(media::docker_config), media::oci_config);
  EXPECT_EQ(to_oci(media::docker_layer_gzip), media::oci_layer_gzip);
  EXPECT_EQ(to_oci(media::docker_layer_foreign), media::oci_layer_nd_gzip);
  EXPECT_EQ(to_oci("text/plain"), "text/plain");
}

}  // namespace
}  // namespace pith::oci
