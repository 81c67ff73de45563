// Registry flags in skopeo's spelling: --creds, --authfile, --tls-verify, --cert-dir on the
// one-image commands; --src-/--dest- forms of them on copy.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "transport/registry_options.h"

namespace pith::cli {

struct RegistryFlags {
  std::string creds;
  std::string authfile;
  bool tls_verify = true;
  std::string cert_dir;

  transport::RegistryOptions options() const {
    transport::RegistryOptions o;
    if (!creds.empty()) o.creds = creds;
    o.authfile = authfile;
    o.tls_verify = tls_verify;
    o.cert_dir = cert_dir;
    return o;
  }
};

// prefix: "" for --creds..., "src-" or "dest-" for copy. --authfile is added once, by the
// caller, when the prefix is not empty.
inline void add_registry_flags(CLI::App& app, RegistryFlags& f, const std::string& prefix = "") {
  std::string who = prefix == "src-" ? " (source)" : prefix == "dest-" ? " (destination)" : "";
  app.add_option("--" + prefix + "creds", f.creds,
                 "USER:PASSWORD for the registry" + who + " (default: credential files)");
  app.add_flag("--" + prefix + "tls-verify{true}", f.tls_verify,
               "Verify TLS certificates" + who + " (default true; =false also allows plain http)");
  app.add_option("--" + prefix + "cert-dir", f.cert_dir,
                 "Directory with ca.crt and client.cert/client.key" + who);
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

  transport::RegistryOptions src_options() const { return with_authfile(src); }
  transport::RegistryOptions dest_options() const { return with_authfile(dest); }

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
}

}  // namespace pith::cli
