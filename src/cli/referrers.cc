// `pith referrers IMAGE` and `pith attach IMAGE FILE`: the OCI 1.1 referrers of an image in a
// registry (SBOMs, signatures) listed, and a file attached as one, through the referrers API
// or, where the registry has none, the referrers tag (registry/referrers.h).
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/options.h"
#include "cli/registry_flags.h"
#include "transport/referrers.h"
#include "transport/registry.h"
#include "util/file.h"

namespace pith::cli {

namespace {

// An attached file is read whole into memory (it is sent in one request).
constexpr uint64_t k_max_attached_bytes = uint64_t{256} << 20;

Result<transport::ImageRef> registry_reference(const std::string& image) {
  auto ref = TRY(transport::parse_reference(image));
  if (ref.kind != transport::Kind::docker)
    return make_error(image + ": referrers live in registries: give a docker:// reference");
  return ref;
}

struct ReferrersArgs {
  std::string image;
  std::string artifact_type;
  bool json = false;
  bool content = false;
  RegistryFlags registry;
};

Result<void> run_referrers(const ReferrersArgs& args) {
  // 1. The subject: the document the reference names; 2. its referrers; 3. one line each.
  auto ref = TRY(registry_reference(args.image));
  auto client =
      TRY(transport::open_registry_client(ref, args.registry.options(), registry::Access::pull));
  auto subject = TRY(transport::registry_root(*client, ref));
  auto found = TRY(registry::list_referrers(*client, subject.digest, args.artifact_type));
  if (args.content) {
    auto latest = registry::latest_referrer(found.manifests);
    if (!latest)
      return make_error(args.image + ": no referrer" +
                        (args.artifact_type.empty() ? "" : " of type " + args.artifact_type));
    std::string bytes = TRY(registry::read_referrer(*client, *latest, subject.digest,
                                                    args.artifact_type, k_max_attached_bytes));
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    return {};
  }
  if (args.json) {
    nlohmann::json manifests = nlohmann::json::array();
    for (const auto& d : found.manifests) manifests.push_back(oci::to_json(d));
    nlohmann::json j = {{"subject", oci::to_json(subject)},
                        {"via", found.via == registry::ReferrersVia::api ? "api" : "tag"},
                        {"manifests", manifests}};
    std::printf("%s\n", j.dump(2).c_str());
    return {};
  }
  for (const auto& d : found.manifests)
    std::printf("%s %s %llu\n", d.digest.str().c_str(),
                d.artifact_type.empty() ? "-" : d.artifact_type.c_str(),
                static_cast<unsigned long long>(d.size));
  return {};
}

struct AttachArgs {
  std::string image;
  std::string file;
  std::string artifact_type;
  std::string media_type;
  std::vector<std::string> annotations;
  RegistryFlags registry;
};

Result<void> run_attach(const AttachArgs& args) {
  // 1. The subject and the file; 2. blobs, manifest, and the referrers list; 3. what was done.
  auto ref = TRY(registry_reference(args.image));
  registry::Artifact a;
  a.artifact_type = args.artifact_type;
  a.media_type = args.media_type.empty() ? args.artifact_type : args.media_type;
  a.content = TRY(read_file(args.file, k_max_attached_bytes));
  a.layer_annotations["org.opencontainers.image.title"] =
      std::filesystem::path(args.file).filename().string();
  for (const auto& kv : args.annotations) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return make_error("--annotation " + kv + ": expected KEY=VALUE");
    a.annotations[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  auto client =
      TRY(transport::open_registry_client(ref, args.registry.options(), registry::Access::push));
  auto subject = TRY(transport::registry_root(*client, ref));
  auto attached = TRY(registry::attach_referrer(*client, subject, a).wrap(args.image));
  std::string via = attached.via == registry::ReferrersVia::api
                        ? "the referrers API"
                        : "the referrers tag " + registry::referrers_tag(subject.digest.str());
  std::printf("Attached %s to %s through %s\n", attached.manifest.digest.str().c_str(),
              subject.digest.str().c_str(), via.c_str());
  return {};
}

}  // namespace

Runner setup_referrers(CLI::App& app) {
  auto args = std::make_shared<ReferrersArgs>();
  app.add_option("image", args->image, "docker://HOST/REPO:TAG or @DIGEST")->required();
  app.add_option("--artifact-type", args->artifact_type,
                 "Only referrers of this artifactType, e.g. application/spdx+json");
  app.add_flag("--json", args->json, "JSON: the subject, how it was listed, the descriptors");
  app.add_flag("--content", args->content,
               "Print the content of the latest referrer (of --artifact-type) instead: its layer "
               "of that media type, or its only layer");
  add_registry_flags(app, args->registry);
  return [args] {
    auto r = run_referrers(*args);
    return r ? k_exit_ok : report(r.error());
  };
}

Runner setup_attach(CLI::App& app) {
  auto args = std::make_shared<AttachArgs>();
  app.add_option("image", args->image, "docker://HOST/REPO:TAG or @DIGEST (the subject)")
      ->required();
  app.add_option("file", args->file, "The content to attach (one layer)")->required();
  app.add_option("--artifact-type", args->artifact_type,
                 "The artifact's type, e.g. application/spdx+json")
      ->required();
  app.add_option("--media-type", args->media_type,
                 "The content's media type (default: the artifact type)");
  one_word_each(app.add_option("--annotation", args->annotations,
                               "KEY=VALUE on the artifact manifest (repeatable)"));
  add_registry_flags(app, args->registry);
  return [args] {
    auto r = run_attach(*args);
    return r ? k_exit_ok : report(r.error());
  };
}

}  // namespace pith::cli
