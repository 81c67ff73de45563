// `pith copy SRC DST`: move an image between transports, like `skopeo copy`.
#include <cstdio>
#include <optional>

#include "cli/command.h"
#include "cli/options.h"
#include "cli/registry_flags.h"
#include "transport/copy.h"
#include "util/transfer_progress.h"

namespace pith::cli {

namespace {

struct CopyArgs {
  std::string source;
  std::string destination;
  std::string compress;
  std::string platform;
  bool all = false;
  bool preserve_digests = false;
  bool quiet = false;
  size_t parallel = transport::k_max_parallel_copies;
  SourceDestRegistryFlags registry;
};

Result<void> run_copy(const CopyArgs& args) {
  // 1. Parse both references and the options.
  auto src_ref = TRY(transport::parse_reference(args.source));
  auto dst_ref = TRY(transport::parse_reference(args.destination));
  transport::CopyOptions options;
  if (!args.compress.empty()) options.compression = TRY(compress::parse(args.compress));
  options.platform = TRY(parse_platform_option(args.platform));
  options.all_platforms = args.all;
  options.preserve_digests = args.preserve_digests;
  options.parallel = args.parallel;
  // 2. Open the source (reads and checks its manifests) and the destination.
  auto src_options = args.registry.src_options();
  auto dst_options = args.registry.dest_options();
  // Within one registry, blobs are mounted from the source repository instead of re-sent.
  if (src_ref.kind == transport::Kind::docker && dst_ref.kind == transport::Kind::docker &&
      src_ref.docker.registry == dst_ref.docker.registry)
    dst_options.mount_from = src_ref.docker.repository;
  auto src = TRY(transport::open_source(src_ref, src_options, options.platform));
  auto dst = TRY(transport::open_sink(dst_ref, dst_options));
  // 3. Copy (a line per blob on a terminal); the destination appears only when everything was
  // written and verified.
  std::optional<TransferProgress> progress;
  if (!args.quiet) options.progress = &progress.emplace();
  auto result = TRY(transport::copy_image(*src, *dst, options));
  progress.reset();  // its last lines before the summary
  if (!args.quiet)
    std::printf("Copied %s to %s: %s (%zu blobs written, %zu already present)\n",
                src->describe().c_str(), dst->describe().c_str(), result.root_digest.str().c_str(),
                result.blobs_copied, result.blobs_present);
  return {};
}

}  // namespace

Runner setup_copy(CLI::App& app) {
  auto args = std::make_shared<CopyArgs>();
  app.add_option("source", args->source,
                 "Image to read: oci:DIR[:TAG], oci-archive:FILE[:TAG], "
                 "docker-archive:FILE[:NAME:TAG|:@N], dir:DIR (skopeo's), "
                 "docker://HOST/REPO[:TAG|@DIGEST], docker-daemon:NAME[:TAG], "
                 "containers-storage:NAME[:TAG], rootfs:DIR|TARBALL (a root filesystem), "
                 "or a path (its format recognised)")
      ->required();
  app.add_option("destination", args->destination,
                 "Where to write it: oci:DIR[:TAG], oci-archive:FILE[:TAG], "
                 "docker-archive:FILE[:NAME:TAG], dir:DIR, docker://HOST/REPO[:TAG], "
                 "docker-daemon:NAME:TAG, containers-storage:NAME:TAG")
      ->required();
  app.add_option("--compress", args->compress,
                 "Re-encode layers: gzip, zstd or none (default: keep; uncompressed layers are "
                 "gzipped for oci:, oci-archive: and docker://, as skopeo does)");
  app.add_flag("--preserve-digests", args->preserve_digests,
               "Fail instead of writing a manifest other than the source's (as skopeo)");
  app.add_option("--platform", args->platform,
                 "os/arch[/variant] to pick from an index (default: host)");
  app.add_flag("--all", args->all, "Copy every image of an index, not one platform");
  app.add_option("--image-parallel-copies", args->parallel,
                 "Blobs copied at once (1 to " + std::to_string(transport::k_max_parallel_copies) +
                     ", default " + std::to_string(transport::k_max_parallel_copies) + ")")
      ->check(CLI::Range(size_t{1}, transport::k_max_parallel_copies));
  app.add_flag("-q,--quiet", args->quiet, "Print nothing on success");
  add_registry_flags(app, args->registry);
  return [args] {
    auto r = run_copy(*args);
    return r ? k_exit_ok : report(r.error());
  };
}

}  // namespace pith::cli
