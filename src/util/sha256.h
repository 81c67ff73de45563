// Streaming SHA-256 (OpenSSL, SHA-NI accelerated where the CPU has it).
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

}  // namespace pith
