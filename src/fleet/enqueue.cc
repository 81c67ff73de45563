#include "fleet/enqueue.h"

#include <atomic>
#include <mutex>
#include <thread>

#include "fleet/queue.h"
#include "registry/listing.h"
#include "registry/referrers.h"
#include "transport/reference.h"
#include "transport/registry.h"
#include "transport/resolve.h"
#include "transport/source.h"

namespace pith::fleet {

namespace {

// Whether the docker:// text names a tag or digest (parse_reference fills in "latest").
bool names_tag_or_digest(std::string_view text) {
  if (text.find('@') != std::string_view::npos) return true;
  size_t slash = text.rfind('/');
  return text.find(':', slash == std::string_view::npos ? 0 : slash) != std::string_view::npos;
}

Result<transport::ImageRef> docker_reference(const std::string& text) {
  auto ref = TRY(transport::parse_reference(text));
  if (ref.kind != transport::Kind::docker)
    return make_error(text + ": fleet reads registries: docker://HOST/REPO[:TAG]");
  return ref;
}

Result<std::vector<std::string>> tags_of(const std::string& registry, const std::string& repository,
                                         const transport::RegistryOptions& options) {
  transport::ImageRef ref;
  ref.kind = transport::Kind::docker;
  ref.docker.registry = registry;
  ref.docker.repository = repository;
  auto client = TRY(transport::open_registry_client(ref, options, registry::Access::pull));
  auto tags = TRY(registry::list_tags(*client));
  std::vector<std::string> out;
  for (const auto& tag : tags)
    if (!registry::is_referrers_tag(tag))
      out.push_back("docker://" + registry + "/" + repository + ":" + tag);
  return out;
}

}  // namespace

Result<std::vector<std::string>> expand_reference(const std::string& reference,
                                                  const transport::RegistryOptions& registry) {
  auto ref = TRY(docker_reference(reference));
  std::string_view name = std::string_view(reference).substr(reference.find("//") + 2);
  if (names_tag_or_digest(name)) return std::vector<std::string>{reference};
  return tags_of(ref.docker.registry, ref.docker.repository, registry);
}

Result<std::vector<std::string>> catalog_references(const std::string& registry_reference,
                                                    const transport::RegistryOptions& registry) {
  const std::string prefix = "docker://";
  if (!registry_reference.starts_with(prefix) ||
      registry_reference.find('/', prefix.size()) != std::string::npos ||
      registry_reference.size() == prefix.size())
    return make_error("--catalog " + registry_reference + ": docker://HOST[:PORT]");
  transport::ImageRef ref;
  ref.kind = transport::Kind::docker;
  ref.docker.registry = registry_reference.substr(prefix.size());
  auto client = TRY(transport::open_registry_client(ref, registry, registry::Access::catalog));
  auto repositories = TRY(registry::list_repositories(*client));
  std::vector<std::string> out;
  for (const auto& repository : repositories) {
    auto tags = TRY(tags_of(ref.docker.registry, repository, registry));
    out.insert(out.end(), tags.begin(), tags.end());
  }
  return out;
}

Resolved resolve_references(const std::vector<std::string>& references,
                            const EnqueueOptions& options) {
  std::vector<std::optional<Enqueued>> resolved(references.size());
  std::vector<std::string> errors(references.size());
  std::atomic<size_t> next{0};
  auto resolve_one = [&](size_t i) -> Result<Enqueued> {
    auto ref = TRY(docker_reference(references[i]));
    auto src = TRY(transport::open_source(ref, options.registry, options.platform));
    auto img = TRY(transport::resolve_image(*src, options.platform));
    Enqueued e;
    e.reference = ref.docker.str();
    e.repository = ref.docker.registry + "/" + ref.docker.repository;
    e.manifest = img.descriptor.digest.str();
    e.source = "docker://" + e.repository + "@" + e.manifest;
    e.registry_auth = options.registry_auth;
    return e;
  };
  std::vector<std::thread> threads;
  unsigned jobs = std::max(1u, std::min<unsigned>(options.jobs, references.size()));
  for (unsigned t = 0; t < jobs; ++t)
    threads.emplace_back([&] {
      for (size_t i; (i = next++) < references.size();) {
        auto e = resolve_one(i);
        if (e) {
          resolved[i] = std::move(*e);
        } else {
          errors[i] = references[i] + ": " + e.error().message;
        }
      }
    });
  for (auto& t : threads) t.join();
  Resolved out;
  for (size_t i = 0; i < references.size(); ++i) {
    if (resolved[i]) {
      out.images.push_back(std::move(*resolved[i]));
    } else {
      out.errors.push_back(std::move(errors[i]));
    }
  }
  return out;
}

Result<EnqueueStats> enqueue_references(Db& db, const std::vector<std::string>& references,
                                        const EnqueueOptions& options) {
  // Resolved in parallel (a registry read or two each), then recorded on the one connection:
  // the reference, and the manifest queued unless already there.
  Resolved resolved = resolve_references(references, options);
  EnqueueStats stats;
  stats.errors = std::move(resolved.errors);
  for (const auto& e : resolved.images) {
    bool queued = TRY(enqueue(db, e, options.analyzer));
    ++stats.references;
    stats.queued += queued ? 1 : 0;
  }
  return stats;
}

}  // namespace pith::fleet
