// What pith knows about each media type: its role, and the compression a layer type declares.
#include "oci/media_types.h"

namespace pith::oci {

using compress::Compression;

bool is_index(std::string_view media_type) {
  return media_type == media::oci_index || media_type == media::docker_list;
}

bool is_manifest(std::string_view media_type) {
  return media_type == media::oci_manifest || media_type == media::docker_manifest;
}

bool is_config(std::string_view media_type) {
  return media_type == media::oci_config || media_type == media::docker_config;
}

std::optional<Compression> layer_compression(std::string_view media_type) {
  if (media_type == media::oci_layer || media_type == media::oci_layer_nd ||
      media_type == media::docker_layer)
    return Compression::none;
  if (media_type == media::oci_layer_gzip || media_type == media::oci_layer_nd_gzip ||
      media_type == media::docker_layer_gzip || media_type == media::docker_layer_foreign)
    return Compression::gzip;
  if (media_type == media::oci_layer_zstd || media_type == media::oci_layer_nd_zstd ||
      media_type == media::docker_layer_zstd)
    return Compression::zstd;
  return std::nullopt;
}

std::string_view layer_media_type(Family family, Compression c) {
  switch (c) {
    case Compression::none:
      return family == Family::oci ? media::oci_layer : media::docker_layer;
    case Compression::gzip:
      return family == Family::oci ? media::oci_layer_gzip : media::docker_layer_gzip;
    case Compression::zstd:
      return family == Family::oci ? media::oci_layer_zstd : media::docker_layer_zstd;
  }
  return media::oci_layer;
}

std::string_view to_oci(std::string_view media_type) {
  if (media_type == media::docker_list) return media::oci_index;
  if (media_type == media::docker_manifest) return media::oci_manifest;
  if (media_type == media::docker_config) return media::oci_config;
  if (media_type == media::docker_layer) return media::oci_layer;
  if (media_type == media::docker_layer_gzip) return media::oci_layer_gzip;
  if (media_type == media::docker_layer_zstd) return media::oci_layer_zstd;
  if (media_type == media::docker_layer_foreign) return media::oci_layer_nd_gzip;
  return media_type;
}

}  // namespace pith::oci
