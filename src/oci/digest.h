// Content digests ("sha256:<64 hex>") and a source filter that verifies one while streaming.
#pragma once

#include <compare>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/byte_source.h"
#include "util/result.h"

namespace pith::oci {

struct Digest {
  std::string algorithm;  // "sha256" or "sha512"
  std::string hex;        // lower-case, 64 or 128 characters

  // Accepts only well-formed digests of a known algorithm (the hex part is later used as a
  // file name, so nothing else may pass).
  static Result<Digest> parse(std::string_view text);
  static Digest sha256_of(std::string_view data);
  std::string str() const { return algorithm + ":" + hex; }
  std::string short_str() const { return algorithm + ":" + hex.substr(0, 12); }
  auto operator<=>(const Digest&) const = default;
};

// Passes `inner` through while hashing it. At end of stream it fails unless the bytes match
// `expected` (and `expected_size`, when given). Reading past `expected_size` fails at once.
// `what` names the blob in errors, e.g. "blob sha256:ab12…".
std::unique_ptr<ByteSource> verifying(std::unique_ptr<ByteSource> inner, Digest expected,
                                      std::optional<uint64_t> expected_size, std::string what);

}  // namespace pith::oci
