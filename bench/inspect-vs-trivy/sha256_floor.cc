// The floor for reading an uncompressed layer, for bench/inspect-vs-trivy and bench/sbom: the
// SHA-256 of FILE read in 1 MiB chunks (as pith's layer reader reads) and hashed on one thread
// with OpenSSL (its SHA extensions), the bytes dropped. Prints "<seconds> <bytes>".
// `openssl dgst` is no floor: its 8 KiB reads cost it a third more than this on a 1 GB file.
// Usage: sha256_floor FILE
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: sha256_floor FILE\n");
    return 2;
  }
  int fd = ::open(argv[1], O_RDONLY);
  if (fd < 0) {
    std::perror(argv[1]);
    return 1;
  }
  auto start = std::chrono::steady_clock::now();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  std::vector<unsigned char> buf(size_t{1} << 20);
  uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      std::perror("read");
      return 1;
    }
    if (n == 0) break;
    EVP_DigestUpdate(ctx, buf.data(), static_cast<size_t>(n));
    total += static_cast<uint64_t>(n);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, digest, &len);
  EVP_MD_CTX_free(ctx);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%.3f %llu\n", seconds, static_cast<unsigned long long>(total));
  return 0;
}
