// Referrers of docker:// images: the repository's client opened once, the subject read.
#include "transport/referrers.h"

#include "oci/manifest.h"
#include "transport/registry.h"

namespace pith::transport {

Result<oci::Descriptor> registry_root(registry::Client& client, const ImageRef& ref) {
  const auto& name = ref.docker;
  auto fetched = TRY(client.get_manifest(name.digest.empty() ? name.tag : name.digest));
  oci::Descriptor d;
  d.digest = oci::Digest::sha256_of(fetched.bytes);
  if (!name.digest.empty() && TRY(oci::Digest::parse(name.digest)) != d.digest)
    return make_error(ref.str() + ": the registry sent a manifest whose digest is " +
                      d.digest.str());
  d.size = fetched.bytes.size();
  switch (oci::sniff_document(fetched.bytes, fetched.media_type)) {
    case oci::DocumentKind::index: {
      auto index = TRY(oci::parse_index(fetched.bytes).wrap(ref.str()));
      d.media_type =
          index.media_type.empty() ? std::string(oci::media::oci_index) : index.media_type;
      break;
    }
    case oci::DocumentKind::manifest: {
      auto m = TRY(oci::parse_manifest(fetched.bytes).wrap(ref.str()));
      d.media_type = oci::effective_media_type(m);
      break;
    }
    case oci::DocumentKind::unknown:
      return make_error(ref.str() + ": neither an image manifest nor an index");
  }
  return d;
}

Result<registry::Attached> attach_to_image(const ImageRef& ref, const oci::Digest& subject,
                                           const registry::Artifact& artifact,
                                           const RegistryOptions& options) {
  auto client = TRY(open_registry_client(ref, options, registry::Access::push));
  ImageRef by_digest = ref;
  by_digest.docker.tag.clear();
  by_digest.docker.digest = subject.str();
  auto d = TRY(registry_root(*client, by_digest));
  return registry::attach_referrer(*client, d, artifact).wrap(ref.str());
}

Result<std::optional<AttachedContent>> read_attached(const ImageRef& ref,
                                                     const std::vector<oci::Digest>& subjects,
                                                     const std::string& artifact_type,
                                                     const RegistryOptions& options,
                                                     uint64_t limit) {
  auto client = TRY(open_registry_client(ref, options, registry::Access::pull));
  for (const auto& subject : subjects) {
    auto found = TRY(registry::list_referrers(*client, subject, artifact_type));
    auto latest = registry::latest_referrer(found.manifests);
    if (!latest) continue;
    std::string content =
        TRY(registry::read_referrer(*client, *latest, subject, artifact_type, limit));
    return std::optional<AttachedContent>(
        AttachedContent{*latest, subject, found.via, std::move(content)});
  }
  return std::optional<AttachedContent>();
}

}  // namespace pith::transport
