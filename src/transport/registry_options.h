// What reading from or writing to a registry needs beyond the reference: credentials, TLS,
// and (for a sink) a repository on the same registry to mount blobs from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace pith::transport {

struct RegistryOptions {
  std::optional<std::string> creds;  // "USER:PASSWORD" (--creds); else the credential files
  std::string authfile;              // --authfile; "" = the usual places
  bool tls_verify = true;            // false: any certificate, and plain http
  std::string cert_dir;              // --cert-dir: ca.crt, client.cert/client.key
  // How the command spells these flags ("--", "--src-", "--dest-"), for errors' hints.
  std::string flag_prefix = "--";
  // Sink only: a repository of the same registry that may hold the blobs (copy from it).
  std::string mount_from;
  // Sink only: > 0 uploads large blobs in chunks of this many bytes (--dest-chunk-size).
  uint64_t chunk_size = 0;
};

}  // namespace pith::transport
