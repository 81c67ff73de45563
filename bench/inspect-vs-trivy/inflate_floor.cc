// The floor for reading a gzip layer, for bench/inspect-vs-trivy's OCI layout input: ISA-L
// inflate (the library pith decodes gzip with) of FILE on one thread, the output counted and
// dropped (no hashing, no tar parsing). Prints "<seconds> <uncompressed bytes>", the seconds
// counting the inflate alone (FILE is mapped, so reading it costs page faults only).
// Usage: inflate_floor FILE (one gzip member, as skopeo and pith write layers).
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: inflate_floor FILE\n");
    return 2;
  }
  int fd = ::open(argv[1], O_RDONLY);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0 || st.st_size == 0) {
    std::perror(argv[1]);
    return 1;
  }
  auto size = static_cast<size_t>(st.st_size);
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (map == MAP_FAILED) {
    std::perror("mmap");
    return 1;
  }
  std::vector<uint8_t> out(size_t{1} << 20);
  inflate_state state;
  isal_inflate_init(&state);
  state.crc_flag = ISAL_GZIP;
  state.next_in = static_cast<uint8_t*>(map);
  state.avail_in = static_cast<uint32_t>(std::min<size_t>(size, UINT32_MAX));
  size_t fed = state.avail_in;
  uint64_t total = 0;
  auto start = std::chrono::steady_clock::now();
  while (state.block_state != ISAL_BLOCK_FINISH) {
    if (state.avail_in == 0 && fed < size) {
      state.avail_in = static_cast<uint32_t>(std::min<size_t>(size - fed, UINT32_MAX));
      fed += state.avail_in;
    }
    state.next_out = out.data();
    state.avail_out = static_cast<uint32_t>(out.size());
    int rc = isal_inflate(&state);
    if (rc != ISAL_DECOMP_OK) {
      std::fprintf(stderr, "inflate_floor: ISA-L error %d\n", rc);
      return 1;
    }
    size_t produced = out.size() - state.avail_out;
    total += produced;
    if (produced == 0 && state.avail_in == 0 && fed == size) break;
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%.2f %llu\n", s, static_cast<unsigned long long>(total));
  return 0;
}
