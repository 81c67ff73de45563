// Registry flags in skopeo's spelling: --creds, --authfile, --tls-verify, --cert-dir on the
// one-image commands; --src-/--dest- forms of them on copy.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "transport/registry_options.h"
#include "util/byte_size.h"

namespace pith::cli {

struct RegistryFlags {
  std::string creds;
  std::string authfile;
  bool tls_verify = true;
  std::string cert_dir;
  std::string prefix;  // "", "src-" or "dest-": how the flags are spelt

  transport::RegistryOptions options() const {
    transport::RegistryOptions o;
    if (!creds.empty()) o.creds = creds;
    o.authfile = authfile;
    o.tls_verify = tls_verify;
    o.cert_dir = cert_dir;
    o.flag_prefix = "--" + prefix;
    return o;
  }
};

// prefix: "" for --creds..., "src-" or "dest-" for copy. --authfile is added once, by the
// caller, when the prefix is not empty.
inline void add_registry_flags(CLI::App& app, RegistryFlags& f, const std::string& prefix = "") {
  f.prefix = prefix;
  std::string who = prefix == "src-" ? " (source)" : prefix == "dest-" ? " (destination)" : "";
  app.add_option("--" + prefix + "creds", f.creds,
                 "USER:PASSWORD for the registry" + who + " (default: credential files)");
  app.add_flag("--" + prefix + "tls-verify{true}", f.tls_verify,
               "Verify TLS certificates" + who + " (default true; =false also allows plain http)");
  app.add_option("--" + prefix + "cert-dir", f.cert_dir,
                 "Directory with ca.crt and client.cert/client.key" + who +
                     " (default: /etc/containers/certs.d/HOST:PORT/ if it exists)");
  if (prefix.empty())
    app.add_option("--authfile", f.authfile,
                   "Credentials file (default: $REGISTRY_AUTH_FILE, containers' auth.json, "
                   "~/.docker/config.json)");
}

// The flags of a command that reads from one registry and writes to another (copy, build):
// --src-* and --dest-* forms, and one --authfile for both.
struct SourceDestRegistryFlags {
  RegistryFlags src;
  RegistryFlags dest;
  std::string authfile;
  uint64_t dest_chunk_size = 0;  // --dest-chunk-size; 0: one request per blob

  transport::RegistryOptions src_options() const { return with_authfile(src); }
  transport::RegistryOptions dest_options() const {
    auto o = with_authfile(dest);
    o.chunk_size = dest_chunk_size;
    return o;
  }

 private:
  transport::RegistryOptions with_authfile(const RegistryFlags& f) const {
    auto o = f.options();
    o.authfile = authfile;
    return o;
  }
};

inline void add_registry_flags(CLI::App& app, SourceDestRegistryFlags& f) {
  add_registry_flags(app, f.src, "src-");
  add_registry_flags(app, f.dest, "dest-");
  app.add_option("--authfile", f.authfile,
                 "Credentials file (default: $REGISTRY_AUTH_FILE, containers' auth.json, "
                 "~/.docker/config.json)");
  app.add_option_function<std::string>(
      "--dest-chunk-size",
      [&f](const std::string& text) {
        auto size = parse_byte_size(text);
        if (!size) throw CLI::ValidationError("--dest-chunk-size", size.error().message);
        if (*size < 1 || *size > 1e12)
          throw CLI::ValidationError("--dest-chunk-size", "must be between 1 B and 1 TB");
        f.dest_chunk_size = static_cast<uint64_t>(*size);
      },
      "Upload blobs over 32 MiB to a registry in PATCH requests of this size, e.g. 16MiB "
      "(default: one request per blob)");
}

}  // namespace pith::cli
