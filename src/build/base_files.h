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

// The config's User for `--user`: "65532" by default; a name of the generated /etc/passwd
// (root, nobody, nonroot) becomes its number, so runtimes can check runAsNonRoot.
Result<std::string> config_user(const std::string& user);

// os-release for the image: the root's, with PRETTY_NAME "Distroless" (ID and VERSION_ID
// stay, so scanners know the distribution of the packages); a minimal one without.
std::string os_release(const std::string& root_os_release);

}  // namespace pith::build
