// Media types of OCI and Docker v2 schema 2 images, and what pith needs to know about them.
#pragma once

#include <optional>
#include <string_view>

#include "compress/compression.h"

namespace pith::oci {

namespace media {
inline constexpr std::string_view oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view oci_config = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view oci_layer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view oci_layer_gzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view oci_layer_zstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view oci_layer_nd =
    "application/vnd.oci.image.layer.nondistributable.v1.tar";
inline constexpr std::string_view oci_layer_nd_gzip =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
inline constexpr std::string_view oci_layer_nd_zstd =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
inline constexpr std::string_view oci_empty = "application/vnd.oci.empty.v1+json";
inline constexpr std::string_view docker_list =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view docker_manifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view docker_manifest_v1 =
    "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr std::string_view docker_manifest_v1_signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
inline constexpr std::string_view docker_config = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view docker_layer = "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr std::string_view docker_layer_gzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view docker_layer_zstd =
    "application/vnd.docker.image.rootfs.diff.tar.zstd";
inline constexpr std::string_view docker_layer_foreign =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
}  // namespace media

enum class Family { oci, docker };

bool is_index(std::string_view media_type);     // OCI index or Docker manifest list
bool is_manifest(std::string_view media_type);  // OCI or Docker v2s2 image manifest
bool is_config(std::string_view media_type);
// The compression a layer media type declares; nullopt if it is not a layer type pith knows.
std::optional<compress::Compression> layer_compression(std::string_view media_type);
// The layer media type for `c` in `family` (Docker has no official uncompressed-zstd name;
// pith uses the one Docker >= 23 writes).
std::string_view layer_media_type(Family family, compress::Compression c);
// Docker media types mapped to their OCI equivalents (others returned unchanged).
std::string_view to_oci(std::string_view media_type);

}  // namespace pith::oci
