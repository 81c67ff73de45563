// What reading from or writing to a registry needs beyond the reference: credentials, TLS,
// and (for a sink) a repository on the same registry to mount blobs from.
#pragma once

#include <optional>
#include <string>

namespace pith::transport {

struct RegistryOptions {
  std::optional<std::string> creds;  // "USER:PASSWORD" (--creds); else the credential files
  std::string authfile;              // --authfile; "" = the usual places
  bool tls_verify = true;            // false: any certificate, and plain http
  std::string cert_dir;              // --cert-dir: ca.crt, client.cert/client.key
  // Sink only: a repository of the same registry that may hold the blobs (copy from it).
  std::string mount_from;
};

}  // namespace pith::transport
