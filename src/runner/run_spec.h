// What one RUN asks of the executor: the root's layers, the process, its identity and its
// network. Names (users, groups) are resolved by the caller; here only numbers.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace pith::runner {

enum class Network {
  host,  // the host's network namespace, as `podman build --network host` gives
  none,  // a new one holding only lo
};

struct RunSpec {
  std::vector<std::string> lowers;  // layer directories of the root, top first
  std::vector<std::string> argv;    // argv[0] is looked up in the container's PATH by runc
  std::vector<std::string> env;     // "KEY=VALUE", as the process gets them
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids;
  std::string cwd = "/";
  std::string hostname = "pith";
  Network network = Network::host;
  std::string scratch_dir;  // where the run's temporary directory goes (upper, work, bundle)
  // No command: only the overlay mount, for changes pith makes itself (COPY, ADD) through
  // Run::root(); no init layer, no bundle, no runc.
  bool mount_only = false;
};

enum class Stream { out, err };
// Gets the command's output as it comes, in pieces of any size.
using OutputFn = std::function<void(Stream, std::string_view)>;

}  // namespace pith::runner
