// Replays a fuzz target's corpus as an ordinary test: every file (recursively) under each
// argument is fed to LLVMFuzzerTestOneInput once. A crash or sanitizer report fails the test,
// and so does an input that runs longer than PITH_FUZZ_REPLAY_TIMEOUT seconds (default 60:
// libFuzzer's campaign allows 10, a Debug ASan build on a slow machine needs more), so a hang
// the campaign found is a failing test too.
#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// The input being run, for the timeout message (a signal handler may only write(2) it).
char g_current[4096];

void on_timeout(int) {
  constexpr char k_what[] = "replay: timeout: ";
  (void)!::write(2, k_what, sizeof k_what - 1);
  (void)!::write(2, g_current, std::strlen(g_current));
  (void)!::write(2, "\n", 1);
  ::_exit(1);
}

void run_file(const std::filesystem::path& p, unsigned timeout) {
  std::ifstream in(p, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::snprintf(g_current, sizeof g_current, "%s", p.c_str());
  ::alarm(timeout);
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  ::alarm(0);
}

}  // namespace

int main(int argc, char** argv) {
  const char* limit = std::getenv("PITH_FUZZ_REPLAY_TIMEOUT");
  unsigned timeout = limit ? static_cast<unsigned>(std::strtoul(limit, nullptr, 10)) : 60;
  ::signal(SIGALRM, on_timeout);
  size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path root(argv[i]);
    if (std::filesystem::is_regular_file(root)) {
      run_file(root, timeout);
      ++count;
      continue;
    }
    if (!std::filesystem::is_directory(root)) {
      std::fprintf(stderr, "replay: %s: not a file or directory\n", argv[i]);
      return 2;
    }
    for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
      if (!e.is_regular_file()) continue;
      run_file(e.path(), timeout);
      ++count;
    }
  }
  std::printf("replayed %zu inputs\n", count);
  return count > 0 ? 0 : 1;
}
