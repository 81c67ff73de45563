// ADD's URL sources: the file fetched into a folder of its own, named as Docker names it (the
// last segment of the URL's path), 0600, its mtime the answer's Last-Modified when given; with
// `--checksum=sha256:HEX` the bytes must match it.
#pragma once

#include <optional>
#include <string>

#include "transport/registry_options.h"
#include "util/result.h"

namespace pith::executor {

bool is_url(const std::string& source);

struct FetchedFile {
  std::string name;    // the file's name in `dir`
  std::string sha256;  // hex
};

// Downloads `url` into the existing empty folder `dir`. Bounded by k_max_fetch_bytes.
Result<FetchedFile> fetch_url(const std::string& url, const std::string& dir,
                              const std::optional<std::string>& checksum, bool tls_verify);

}  // namespace pith::executor
