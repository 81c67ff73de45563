// fetch: the classic distroless example. Fetches an HTTPS URL with libcurl and prints the
// length of the body in bytes; on failure prints libcurl's error text and exits 1.
#include <curl/curl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

// The CA bundle to trust: $SSL_CERT_FILE (what `pith build` sets in the image's config), else
// the distribution's bundle when there is one. With neither, nothing is trusted and every
// server fails verification, which is the honest outcome for an image without certificates.
const char* ca_bundle() {
  const char* env = std::getenv("SSL_CERT_FILE");
  if (env != nullptr && *env != '\0') return env;
  const char* debian = "/etc/ssl/certs/ca-certificates.crt";
  return ::access(debian, R_OK) == 0 ? debian : nullptr;
}

size_t count_body(char*, size_t size, size_t n, void* total) {
  *static_cast<size_t*>(total) += size * n;
  return size * n;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fetch URL\n");
    return 2;
  }
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    std::fprintf(stderr, "fetch: libcurl failed to initialise\n");
    return 1;
  }
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    std::fprintf(stderr, "fetch: libcurl failed to initialise\n");
    return 1;
  }
  char error[CURL_ERROR_SIZE] = "";
  size_t total = 0;
  curl_easy_setopt(curl, CURLOPT_URL, argv[1]);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, count_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &total);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);  // an HTTP error status is a failure
  curl_easy_setopt(curl, CURLOPT_CAINFO, ca_bundle());
  curl_easy_setopt(curl, CURLOPT_CAPATH, nullptr);  // only the bundle above, no directory
  CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    std::fprintf(stderr, "fetch: %s: %s\n", argv[1], *error ? error : curl_easy_strerror(rc));
  } else {
    std::printf("%zu\n", total);
  }
  curl_easy_cleanup(curl);
  curl_global_cleanup();
  return rc == CURLE_OK ? 0 : 1;
}
