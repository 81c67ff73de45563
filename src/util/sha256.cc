// Streaming SHA-256 and SHA-512 over OpenSSL's EVP interface.
#include "util/sha256.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace pith {

namespace {

EVP_MD_CTX* new_context(const EVP_MD* md, const char* name) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, md, nullptr) != 1)
    throw std::runtime_error(std::string("OpenSSL: cannot initialise ") + name);
  return ctx;
}

std::string finish_hex(EVP_MD_CTX* ctx) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(k_hex[md[i] >> 4]);
    out.push_back(k_hex[md[i] & 15]);
  }
  return out;
}

}  // namespace

Sha256::Sha256() : m_ctx(new_context(EVP_sha256(), "SHA-256")) {}

Sha256::~Sha256() {
  EVP_MD_CTX_free(m_ctx);
}

void Sha256::update(std::span<const std::byte> data) {
  EVP_DigestUpdate(m_ctx, data.data(), data.size());
}

std::string Sha256::hex_digest() {
  return finish_hex(m_ctx);
}

std::string Sha256::hex_of(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.hex_digest();
}

Sha512::Sha512() : m_ctx(new_context(EVP_sha512(), "SHA-512")) {}

Sha512::~Sha512() {
  EVP_MD_CTX_free(m_ctx);
}

void Sha512::update(std::span<const std::byte> data) {
  EVP_DigestUpdate(m_ctx, data.data(), data.size());
}

std::string Sha512::hex_digest() {
  return finish_hex(m_ctx);
}

}  // namespace pith
