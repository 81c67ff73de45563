// Streaming SHA-256 (OpenSSL, SHA-NI accelerated where the CPU has it), and SHA-512 for the
// rare sha512 digests.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace pith {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::span<const std::byte> data);
  void update(std::string_view data) { update(std::as_bytes(std::span(data.data(), data.size()))); }
  // Lower-case hex of the digest; the hasher must not be updated afterwards.
  std::string hex_digest();

  static std::string hex_of(std::string_view data);

 private:
  evp_md_ctx_st* m_ctx;
};

// Same interface as Sha256; only needed to verify "sha512:" digests.
class Sha512 {
 public:
  Sha512();
  ~Sha512();
  Sha512(const Sha512&) = delete;
  Sha512& operator=(const Sha512&) = delete;

  void update(std::span<const std::byte> data);
  std::string hex_digest();

 private:
  evp_md_ctx_st* m_ctx;
};

}  // namespace pith
