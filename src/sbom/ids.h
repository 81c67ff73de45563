// The identifiers an SBOM derives from the image, so the same image gives the same document:
// an RFC 4122 name-based UUID (version 5, SHA-1), SPDX element ids, the image's purl, and the
// times image configs write.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "report/model.h"

namespace pith::sbom {

// UUID version 5 of `name` in the URL namespace (6ba7b811-9dad-11d1-80b4-00c04fd430c8), as
// Python's uuid.uuid5(uuid.NAMESPACE_URL, name) gives it: lower-case, 8-4-4-4-12.
std::string uuid_v5_url(std::string_view name);

// The name the UUIDs of an image's documents are made from: "pith-sbom:<manifest digest>".
std::string document_uuid(const report::InspectReport& r);

// An SPDX element id "SPDXRef-<prefix>-<text made of [A-Za-z0-9.-]>".
std::string spdx_id(std::string_view prefix, std::string_view text);

// The image's short name and purl: pkg:oci/<name>@sha256%3A<hex>?arch=..&repository_url=..
// (purl-spec's oci type: the name is the last component of the repository, lower case; the
// repository URL only for registry references).
std::string image_name(const report::InspectReport& r);
std::string image_purl(const report::InspectReport& r);

// RFC 3339 time of an image config ("2024-01-02T03:04:05.123456789Z", "...+02:00") in seconds
// since 1970; nullopt when it is not such a time.
std::optional<int64_t> parse_rfc3339(std::string_view text);

}  // namespace pith::sbom
