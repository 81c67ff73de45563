// Writing into a Docker engine or podman: a docker-archive (the same writer as
// docker-archive:) whose tar streams straight into the body of `POST /images/load`.
#include "transport/daemon.h"
#include "transport/docker_archive.h"
#include "transport/output_files.h"

namespace pith::transport {

namespace {

// OutputFiles as one tar written into an upload; commit() ends it and reads the verdict.
class UploadTarOutput final : public OutputFiles {
 public:
  UploadTarOutput(std::unique_ptr<DaemonUpload> upload, std::string describe)
      : m_upload(std::move(upload)), m_files(*m_upload), m_describe(std::move(describe)) {}

  bool exists(const std::string& path) const override { return m_files.contains(path); }

  Result<void> put(const std::string& path, uint64_t size, ByteSource& content) override {
    return m_files.add(path, size, content).wrap(m_describe);
  }

  Result<void> commit() override {
    TRY(m_files.finish().wrap(m_describe));
    DaemonResponse r = TRY(m_upload->finish().wrap(m_describe + ": image load"));
    if (r.status != 200)
      return make_error(m_describe + ": image load: HTTP " + std::to_string(r.status) + ": " +
                        daemon_error_message(r.body));
    return check_load_response(r.body).wrap(m_describe + ": image load");
  }

 private:
  std::unique_ptr<DaemonUpload> m_upload;
  TarFiles m_files;
  std::string m_describe;
};

}  // namespace

Result<std::unique_ptr<ImageSink>> open_daemon_sink(const ImageRef& ref) {
  std::string describe = ref.str();
  if (ref.is_image_id())
    return make_error(describe + ": an image ID names a source; write to NAME:TAG");
  if (!ref.docker.digest.empty())
    return make_error(describe + ": a digest names a source; write to NAME:TAG");
  DaemonClient client = TRY(daemon_client(ref.kind).wrap(describe));
  auto upload = TRY(client.post_stream("/images/load?quiet=1", "application/x-tar").wrap(describe));
  auto out = std::make_unique<UploadTarOutput>(std::move(upload), describe);
  // The daemon tags the image with the normalised name ("docker.io/library/x:1" is `x:1` to
  // Docker; podman keeps it as written there).
  return open_docker_archive_sink(std::move(out), ref.docker.str(), describe);
}

}  // namespace pith::transport
