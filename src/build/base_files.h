// The files every program expects, as Google's distroless images ship them: users and groups,
// name-service switch, os-release, /tmp and home folders, CA certificates, and on request time
// zones and a UTF-8 locale. They go in the base layer.
#pragma once

#include <string>
#include <vector>

#include "build/plan.h"
#include "build/spec.h"
#include "util/root_dir.h"

namespace pith::build {

inline constexpr const char* k_ca_bundle_path = "/etc/ssl/certs/ca-certificates.crt";

struct BaseFiles {
  std::vector<std::string> env;       // SSL_CERT_FILE, LANG: set in the config
  std::vector<std::string> warnings;  // printed, the build goes on
};

Result<BaseFiles> add_base_files(Plan& plan, const RootDir& root, const BuildSpec& spec);

// Whether `text` holds a PEM certificate ("-----BEGIN CERTIFICATE-----" ... "-----END
// CERTIFICATE-----"), the only block TLS libraries (Go's AppendCertsFromPEM, OpenSSL) take
// from a bundle.
bool has_pem_certificate(std::string_view text);

// The user and group databases of a tree: /etc/passwd and /etc/group ("" when absent).
struct Accounts {
  std::string passwd;
  std::string group;
};

// The config's User for `--user` (UID[:GID], NAME[:GROUP]): "65532" by default; names become
// numbers, so runtimes can check runAsNonRoot. A name is looked up in the image's files (the
// generated root, nobody, nonroot, or an added /etc/passwd) and then in the root's; a user only
// the root has gets its primary group too ("405:100"), which runc could not find in the image.
Result<std::string> config_user(const std::string& user, const Accounts& image,
                                const Accounts& root);

// os-release for the image: the root's, with PRETTY_NAME "Distroless" (ID and VERSION_ID
// stay, so scanners know the distribution of the packages); a minimal one without.
std::string os_release(const std::string& root_os_release);

}  // namespace pith::build
