// The floor for gzip of bench/copy and bench/build: libdeflate at pith's level over FILE in 1 MiB
// chunks on every core, the output counted and dropped (no join, no CRC, no hashing, no
// writes). Prints "<seconds> <compressed bytes>", the seconds counting the compression alone.
// Usage: deflate_floor FILE|- LEVEL ("-": all of standard input, read first; bench/build
// pipes a tar into it and times the whole pipeline).
#include <fcntl.h>
#include <libdeflate.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: deflate_floor FILE LEVEL\n");
    return 2;
  }
  std::vector<char> input;
  const char* data = nullptr;
  size_t size = 0;
  if (std::string_view(argv[1]) == "-") {
    std::vector<char> buf(size_t{1} << 20);
    for (;;) {
      ssize_t n = ::read(0, buf.data(), buf.size());
      if (n < 0) {
        std::perror("stdin");
        return 1;
      }
      if (n == 0) break;
      input.insert(input.end(), buf.begin(), buf.begin() + n);
    }
    size = input.size();
    data = input.data();
  } else {
    int fd = ::open(argv[1], O_RDONLY);
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0) {
      std::perror(argv[1]);
      return 1;
    }
    size = static_cast<size_t>(st.st_size);
    void* map = size ? ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0) : nullptr;
    if (map == MAP_FAILED) {
      std::perror("mmap");
      return 1;
    }
    data = static_cast<const char*>(map);
  }
  int level = std::atoi(argv[2]);
  constexpr size_t k_chunk = size_t{1} << 20;
  size_t chunks = (size + k_chunk - 1) / k_chunk;
  std::atomic<size_t> next{0}, total{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < std::max(std::thread::hardware_concurrency(), 1u); ++t) {
    threads.emplace_back([&] {
      libdeflate_compressor* c = libdeflate_alloc_compressor(level);
      std::vector<char> out(libdeflate_deflate_compress_bound(c, k_chunk));
      for (size_t i; (i = next++) < chunks;) {
        size_t len = std::min(k_chunk, size - i * k_chunk);
        total += libdeflate_deflate_compress(c, data + i * k_chunk, len, out.data(), out.size());
      }
      libdeflate_free_compressor(c);
    });
  }
  for (auto& t : threads) t.join();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%.2f %zu\n", s, total.load());
  return 0;
}
