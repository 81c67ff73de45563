// Digest parsing and the verifying stream filter every blob read goes through.
#include "oci/digest.h"

#include <variant>

#include "util/sha256.h"

namespace pith::oci {

namespace {

// Hostile text goes into error messages: keep it short and printable.
std::string quoted(std::string_view text) {
  constexpr size_t k_max = 80;
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < k_max; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    out.push_back(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? static_cast<char>(c) : '?');
  }
  if (text.size() > k_max) out += "...";
  return out + "\"";
}

bool is_lower_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

class VerifyingSource final : public ByteSource {
 public:
  VerifyingSource(std::unique_ptr<ByteSource> inner, Digest expected,
                  std::optional<uint64_t> expected_size, std::string what)
      : m_inner(std::move(inner)),
        m_expected(std::move(expected)),
        m_expected_size(expected_size),
        m_what(std::move(what)) {
    if (m_expected.algorithm == "sha512") m_hash.emplace<Sha512>();
  }

  Result<size_t> read(std::span<std::byte> out) override {
    if (m_failure) return *m_failure;
    if (m_finished) return size_t{0};
    size_t n = TRY(m_inner->read(out));
    TRY(take(std::span<const std::byte>(out.data(), n)));
    return n;
  }

  Result<std::span<const std::byte>> read_view(std::span<std::byte> scratch) override {
    if (m_failure) return *m_failure;
    if (m_finished) return std::span<const std::byte>();
    auto view = TRY(m_inner->read_view(scratch));
    TRY(take(view));
    return view;
  }

 private:
  // Counts and hashes bytes passing through; empty means the end of the stream.
  Result<void> take(std::span<const std::byte> bytes) {
    if (bytes.empty()) return finish();
    m_bytes += bytes.size();
    if (m_expected_size && m_bytes > *m_expected_size)
      return fail("size mismatch: expected " + std::to_string(*m_expected_size) +
                  " bytes, got more");
    std::visit([&](auto& h) { h.update(bytes); }, m_hash);
    return {};
  }

  Result<void> finish() {
    m_finished = true;
    if (m_expected_size && m_bytes != *m_expected_size)
      return fail("size mismatch: expected " + std::to_string(*m_expected_size) + " bytes, got " +
                  std::to_string(m_bytes));
    std::string hex = std::visit([](auto& h) { return h.hex_digest(); }, m_hash);
    if (hex != m_expected.hex)
      return fail("digest mismatch: got " + m_expected.algorithm + ":" + hex);
    return {};
  }

  Error fail(const std::string& why) {
    m_failure = Error{m_what + ": " + why};
    return *m_failure;
  }

  std::unique_ptr<ByteSource> m_inner;
  Digest m_expected;
  std::optional<uint64_t> m_expected_size;
  std::string m_what;
  std::variant<Sha256, Sha512> m_hash;
  uint64_t m_bytes = 0;
  bool m_finished = false;
  // Errors are sticky: a reader that retries must not see the stream as valid.
  std::optional<Error> m_failure;
};

}  // namespace

Result<Digest> Digest::parse(std::string_view text) {
  size_t colon = text.find(':');
  if (colon != std::string_view::npos) {
    std::string_view algorithm = text.substr(0, colon);
    std::string_view hex = text.substr(colon + 1);
    size_t want = algorithm == "sha256" ? 64 : algorithm == "sha512" ? 128 : 0;
    if (want != 0 && hex.size() == want && is_lower_hex(hex))
      return Digest{std::string(algorithm), std::string(hex)};
  }
  return make_error("invalid digest " + quoted(text));
}

Digest Digest::sha256_of(std::string_view data) {
  return Digest{"sha256", Sha256::hex_of(data)};
}

std::unique_ptr<ByteSource> verifying(std::unique_ptr<ByteSource> inner, Digest expected,
                                      std::optional<uint64_t> expected_size, std::string what) {
  return std::make_unique<VerifyingSource>(std::move(inner), std::move(expected), expected_size,
                                           std::move(what));
}

}  // namespace pith::oci
