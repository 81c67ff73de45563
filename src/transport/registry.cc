// The registry source and sink: manifests fetched by tag or digest and checked against the
// digest that names them, blobs streamed through a verifier, pushes that skip what the
// registry has and mount what another repository has.
#include "transport/registry.h"

#include "oci/manifest.h"
#include "registry/client.h"

namespace pith::transport {

namespace {

using registry::Client;

Result<std::shared_ptr<Client>> make_client(const ImageRef& ref, const RegistryOptions& options,
                                            registry::Access access) {
  registry::ClientOptions co;
  co.tls.verify = options.tls_verify;
  co.tls.cert_dir = options.cert_dir;
  co.authfile = options.authfile;
  if (options.creds) co.credential = TRY(registry::parse_creds_option(*options.creds));
  if (!options.mount_from.empty()) co.also_pull.push_back(options.mount_from);
  co.chunk_size = options.chunk_size;
  co.flag_prefix = options.flag_prefix;
  return Client::create(ref.docker.registry, ref.docker.repository, access, std::move(co));
}

std::string media_type_of(const std::string& declared, const std::string& bytes) {
  if (!declared.empty() && declared != "application/json" && declared != "text/plain")
    return declared;
  // Some registries answer with a generic type: the document's own mediaType decides.
  auto j = nlohmann::json::parse(bytes, nullptr, false);
  if (j.is_object() && j.contains("mediaType") && j["mediaType"].is_string())
    return j["mediaType"].get<std::string>();
  if (oci::sniff_document(bytes, "") == oci::DocumentKind::index)
    return std::string(oci::media::oci_index);
  return std::string(oci::media::oci_manifest);
}

class RegistrySource final : public ImageSource {
 public:
  RegistrySource(std::shared_ptr<Client> client, ImageRef ref)
      : m_client(std::move(client)), m_ref(std::move(ref)) {}

  std::string describe() const override { return m_ref.str(); }

  Result<RawManifest> root() override {
    const auto& name = m_ref.docker;
    std::string reference = name.digest.empty() ? name.tag : name.digest;
    auto fetched = TRY(m_client->get_manifest(reference));
    oci::Digest digest = oci::Digest::sha256_of(fetched.bytes);
    if (!name.digest.empty()) {
      oci::Digest wanted = TRY(oci::Digest::parse(name.digest));
      if (wanted.algorithm == "sha256" && wanted != digest)
        return make_error(m_ref.str() + ": the registry sent a manifest whose digest is " +
                          digest.str());
      digest = wanted;
    }
    std::string media_type = media_type_of(fetched.media_type, fetched.bytes);
    return RawManifest{std::move(fetched.bytes), media_type, digest};
  }

  Result<RawManifest> manifest(const oci::Descriptor& d) override {
    TRY(oci::check_manifest_size(d));
    auto fetched = TRY(m_client->get_manifest(d.digest.str()).wrap(m_ref.str()));
    if (d.digest.algorithm == "sha256" && oci::Digest::sha256_of(fetched.bytes) != d.digest)
      return make_error(m_ref.str() + ": manifest " + d.digest.str() + ": digest mismatch: got " +
                        oci::Digest::sha256_of(fetched.bytes).str());
    if (fetched.bytes.size() != d.size)
      return make_error(m_ref.str() + ": manifest " + d.digest.str() + ": size mismatch");
    std::string media_type =
        d.media_type.empty() ? media_type_of(fetched.media_type, fetched.bytes) : d.media_type;
    return RawManifest{std::move(fetched.bytes), media_type, d.digest};
  }

  Result<std::unique_ptr<ByteSource>> blob(const oci::Descriptor& d) override {
    auto raw = TRY(m_client->open_blob(d.digest, d.size));
    return oci::verifying(std::move(raw), d.digest, d.size,
                          m_client->describe() + ": blob " + d.digest.str());
  }

  // The client is shared by threads (it locks its auth state; every request has its own
  // curl handle); each blob is its own HTTP stream.
  bool parallel_reads() const override { return true; }

 private:
  std::shared_ptr<Client> m_client;
  ImageRef m_ref;
};

class RegistrySink final : public ImageSink {
 public:
  RegistrySink(std::shared_ptr<Client> client, ImageRef ref, std::string mount_from)
      : m_client(std::move(client)), m_ref(std::move(ref)), m_mount_from(std::move(mount_from)) {}

  std::string describe() const override { return m_ref.str(); }
  std::optional<compress::Compression> default_layer_compression() const override {
    return compress::Compression::gzip;
  }

  bool has_blob(const oci::Digest& d) const override {
    // A failed check is answered "no": the upload that follows reports the real error.
    auto r = m_client->has_blob(d);
    return r && *r;
  }

  Result<void> put_blob(const oci::Descriptor& d, ByteSource& content) override {
    // A stream can be read once: a failed upload of it is not tried again.
    bool given = false;
    TRY(put_blob_from(d, [&]() -> Result<std::unique_ptr<ByteSource>> {
      if (given) return make_error("the content cannot be read a second time for another try");
      given = true;
      return std::unique_ptr<ByteSource>(std::make_unique<BorrowedSource>(content));
    }));
    return {};
  }

  Result<Stored> put_blob_from(const oci::Descriptor& d, const BlobOpener& open) override {
    auto uploaded = TRY(m_client->upload_blob(d, open, m_mount_from));
    return uploaded == Client::Uploaded::mounted ? Stored::mounted : Stored::written;
  }

  // Each upload is its own session (POST, then PUT or PATCH to its own location).
  bool parallel_puts() const override { return true; }

  Result<void> put_manifest(const RawManifest& m) override {
    return m_client->put_manifest(m.digest.str(), media_type_of(m.media_type, m.bytes), m.bytes)
        .wrap(m_ref.str());
  }

  Result<void> commit(const RawManifest& root, const oci::Descriptor& root_descriptor) override {
    const auto& name = m_ref.docker;
    std::string media_type = media_type_of(
        root.media_type.empty() ? root_descriptor.media_type : root.media_type, root.bytes);
    if (!name.digest.empty()) {
      if (name.digest != root.digest.str())
        return make_error(m_ref.str() + ": the image's digest is " + root.digest.str() +
                          ", not the one the destination names");
      return m_client->put_manifest(name.digest, media_type, root.bytes).wrap(m_ref.str());
    }
    return m_client->put_manifest(name.tag, media_type, root.bytes).wrap(m_ref.str());
  }

 private:
  std::shared_ptr<Client> m_client;
  ImageRef m_ref;
  std::string m_mount_from;
};

}  // namespace

Result<std::unique_ptr<ImageSource>> open_registry_source(const ImageRef& ref,
                                                          const RegistryOptions& options) {
  auto client = TRY(make_client(ref, options, registry::Access::pull));
  // A registry that cannot be reached (or trusted) is the first error, not one about a blob.
  TRY(client->ensure_ready());
  return std::unique_ptr<ImageSource>(std::make_unique<RegistrySource>(std::move(client), ref));
}

Result<std::unique_ptr<ImageSink>> open_registry_sink(const ImageRef& ref,
                                                      const RegistryOptions& options) {
  auto client = TRY(make_client(ref, options, registry::Access::push));
  TRY(client->ensure_ready());
  return std::unique_ptr<ImageSink>(
      std::make_unique<RegistrySink>(std::move(client), ref, options.mount_from));
}

Result<std::shared_ptr<registry::Client>> open_registry_client(const ImageRef& ref,
                                                               const RegistryOptions& options,
                                                               registry::Access access) {
  if (ref.kind != Kind::docker)
    return make_error(ref.str() +
                      ": referrers live in registries: a docker:// reference is needed");
  auto client = TRY(make_client(ref, options, access));
  TRY(client->ensure_ready());
  return client;
}

}  // namespace pith::transport
