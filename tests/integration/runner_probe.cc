// Drives the RUN executor (src/runner) for integration/runner.test.sh until `pith build -f`
// wires it to a command:
//   pith_runner_probe add STORE DIFF_ID < LAYER.tar      unpacks a layer into the store
//   pith_runner_probe run STORE [options] -- ARGV...     runs ARGV on the store's layers
// run options: --layer DIFF_ID (top first, repeated), --user UID:GID, --cwd DIR, --env K=V,
// --hostname NAME, --network host|none, --scratch DIR, --layer-out FILE (the RUN's layer tar),
// --epoch SECONDS (SOURCE_DATE_EPOCH), --mount FIELDS (repeated: comma-separated type=bind|
// cache|tmpfs|secret, target=, source=, ro, rw, size=, uid=, gid=, mode= in octal).
// Errors: one "pith: error:" line, exit 2.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "runner/layer_store.h"
#include "runner/run.h"
#include "util/file.h"

using namespace pith;

namespace {

class StdinSource final : public ByteSource {
 public:
  Result<size_t> read(std::span<std::byte> out) override {
    for (;;) {
      ssize_t n = ::read(0, out.data(), out.size());
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return make_error("stdin: " + errno_text(errno));
    }
  }
};

Result<void> add(const std::string& store_dir, const std::string& diff_id) {
  auto store = TRY(runner::LayerStore::open(store_dir));
  StdinSource in;
  std::cout << TRY(store.add(TRY(oci::Digest::parse(diff_id)), in)) << "\n";
  return {};
}

Result<runner::Mount> parse_mount(const std::string& text) {
  runner::Mount m;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = std::min(text.find(',', start), text.size());
    std::string field = text.substr(start, comma - start);
    start = comma + 1;
    size_t eq = field.find('=');
    std::string key = field.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : field.substr(eq + 1);
    if (key == "type") {
      if (value == "bind")
        m.kind = runner::MountKind::bind;
      else if (value == "cache")
        m.kind = runner::MountKind::cache;
      else if (value == "tmpfs")
        m.kind = runner::MountKind::tmpfs;
      else if (value == "secret")
        m.kind = runner::MountKind::secret;
      else
        return make_error(value + ": no such mount type");
    } else if (key == "target") {
      m.target = value;
    } else if (key == "source") {
      m.source = value;
    } else if (key == "ro" || key == "rw") {
      m.read_only = key == "ro";
    } else if (key == "size") {
      m.size_limit = std::stoll(value);
    } else if (key == "uid" || key == "gid") {
      (key == "uid" ? m.uid : m.gid) = static_cast<uint32_t>(std::stoul(value));
    } else if (key == "mode") {
      m.mode = static_cast<uint32_t>(std::stoul(value, nullptr, 8));
    } else {
      return make_error(field + ": unknown mount field");
    }
  }
  return m;
}

Result<void> run(const std::string& store_dir, const std::vector<std::string>& args) {
  auto store = TRY(runner::LayerStore::open(store_dir));
  runner::RunSpec spec;
  std::string layer_out;
  std::optional<int64_t> epoch;
  size_t i = 0;
  for (; i < args.size() && args[i] != "--"; i += 2) {
    if (i + 1 >= args.size()) return make_error(args[i] + ": needs a value");
    const std::string& key = args[i];
    const std::string& value = args[i + 1];
    if (key == "--layer") {
      auto dir = store.find(TRY(oci::Digest::parse(value)));
      if (!dir) return make_error(value + ": not in the store");
      spec.lowers.push_back(*dir);
    } else if (key == "--user") {
      if (std::sscanf(value.c_str(), "%u:%u", &spec.uid, &spec.gid) != 2)
        return make_error(value + ": not UID:GID");
    } else if (key == "--cwd") {
      spec.cwd = value;
    } else if (key == "--env") {
      spec.env.push_back(value);
    } else if (key == "--hostname") {
      spec.hostname = value;
    } else if (key == "--network") {
      if (value != "host" && value != "none") return make_error(value + ": host or none");
      spec.network = value == "host" ? runner::Network::host : runner::Network::none;
    } else if (key == "--scratch") {
      spec.scratch_dir = value;
    } else if (key == "--layer-out") {
      layer_out = value;
    } else if (key == "--mount") {
      spec.mounts.push_back(TRY(parse_mount(value)));
    } else if (key == "--epoch") {
      epoch = std::stoll(value);
    } else {
      return make_error(key + ": unknown option");
    }
  }
  spec.argv.assign(args.begin() + static_cast<std::ptrdiff_t>(std::min(i + 1, args.size())),
                   args.end());
  if (spec.scratch_dir.empty()) spec.scratch_dir = store_dir + "/runs";
  auto step = TRY(runner::Run::prepare(spec));
  TRY(step->execute([](runner::Stream stream, std::string_view bytes) {
    (void)write_all_fd(stream == runner::Stream::out ? 1 : 2, std::as_bytes(std::span(bytes)));
  }));
  if (layer_out.empty()) return {};
  auto file = TRY(AtomicFile::create(layer_out));
  TRY(step->write_layer(file.sink(), epoch));
  return file.commit();
}

}  // namespace

int main(int argc, char** argv) {
  install_cleanup_on_signals();  // as pith's main does: the runner's guard comes on top
  std::vector<std::string> args(argv + 1, argv + argc);
  Result<void> done = make_error("usage: pith_runner_probe add|run STORE ...");
  if (args.size() == 3 && args[0] == "add") done = add(args[1], args[2]);
  if (args.size() >= 2 && args[0] == "run")
    done = run(args[1], std::vector<std::string>(args.begin() + 2, args.end()));
  if (done) return 0;
  std::cerr << "pith: error: " << done.error().message << "\n";
  return 2;
}
