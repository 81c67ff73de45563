// ADD https://...: one GET through the registry client's libcurl layer (TLS verified against
// the system CAs, redirects followed), streamed to a file while hashed.
#include "executor/remote_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>

#include "registry/http.h"
#include "util/file.h"
#include "util/sha256.h"

namespace pith::executor {

namespace {

// A download ADD may make (Docker has no bound; a disk-filling answer must stop somewhere).
constexpr uint64_t k_max_fetch_bytes = uint64_t{16} << 30;

// The last segment of the URL's path, as Docker names the file; "" when there is none.
std::string url_file_name(const std::string& url) {
  std::string rest = url.substr(url.find("://") + 3);
  auto cut = rest.find_first_of("?#");
  if (cut != std::string::npos) rest.resize(cut);
  auto slash = rest.find('/');
  if (slash == std::string::npos) return "";
  std::string path = rest.substr(slash);
  std::string name = path.substr(path.rfind('/') + 1);
  if (name == "." || name == "..") return "";
  return name;
}

// An HTTP date (RFC 7231: "Sun, 06 Nov 1994 08:49:37 GMT"), as seconds.
std::optional<int64_t> http_date(const std::string& text) {
  std::tm tm{};
  const char* end = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end) return std::nullopt;
  return static_cast<int64_t>(::timegm(&tm));
}

}  // namespace

bool is_url(const std::string& source) {
  return source.starts_with("http://") || source.starts_with("https://");
}

Result<FetchedFile> fetch_url(const std::string& url, const std::string& dir,
                              const std::optional<std::string>& checksum, bool tls_verify) {
  FetchedFile out;
  out.name = url_file_name(url);
  if (out.name.empty()) out.name = "download";  // Docker's name for a URL without a file name
  std::string expected;
  if (checksum) {
    if (!checksum->starts_with("sha256:") || checksum->size() != 7 + 64 ||
        checksum->find_first_not_of("0123456789abcdef", 7) != std::string::npos)
      return make_error("--checksum=" + *checksum + ": expected sha256:<64 hex digits>");
    expected = checksum->substr(7);
  }
  registry::TlsOptions tls;
  tls.verify = tls_verify;
  auto http = TRY(registry::Http::create(tls));
  registry::Request request;
  request.url = url;
  auto stream = TRY(http->open(request).wrap(url));
  if (stream->status() != 200)
    return make_error(url + ": HTTP " + std::to_string(stream->status()));
  std::string path = dir + "/" + out.name;
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) return make_error(path + ": " + errno_text(errno));
  Sha256 hash;
  uint64_t total = 0;
  std::vector<std::byte> buf(1 << 16);
  for (;;) {
    size_t n = TRY(stream->read(buf).wrap(url));
    if (n == 0) break;
    total += n;
    if (total > k_max_fetch_bytes)
      return make_error(url + ": larger than " + std::to_string(k_max_fetch_bytes >> 30) + " GiB");
    std::span<const std::byte> chunk(buf.data(), n);
    hash.update(chunk);
    TRY(write_all_fd(fd.get(), chunk).wrap(path));
  }
  out.sha256 = hash.hex_digest();
  if (!expected.empty() && out.sha256 != expected)
    return make_error(url + ": its sha256 is " + out.sha256 + ", --checksum says " + expected);
  if (auto when = http_date(stream->header("last-modified"))) {
    struct timespec times[2] = {{*when, 0}, {*when, 0}};
    ::futimens(fd.get(), times);
  }
  return out;
}

}  // namespace pith::executor
