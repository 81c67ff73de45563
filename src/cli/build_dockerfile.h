// `pith build -f Dockerfile`: the flags only a Dockerfile build has, and the build itself
// (src/executor), printed as podman prints it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cli/build_sbom.h"
#include "cli/command.h"
#include "cli/registry_flags.h"

namespace pith::cli {

struct DockerfileFlags {
  std::string context;  // CONTEXT (default: the Dockerfile's folder)
  std::string target;
  std::vector<std::string> build_args;
  std::string network = "host";
  bool no_cache = false;
  std::string store;
  std::vector<std::string> tags;
  std::string pull = "missing";
  std::vector<std::string> secrets;  // id=ID,src=PATH
  RegistryFlags registry;  // --creds, --tls-verify, --cert-dir as podman build spells them
};

void add_dockerfile_flags(CLI::App& app, DockerfileFlags& f);

// Everything `pith build` was given that a Dockerfile build reads.
struct DockerfileBuild {
  std::string dockerfile;
  const DockerfileFlags* flags = nullptr;
  std::vector<std::string> outputs;
  std::string platform;
  std::string compress;
  std::vector<std::string> annotations;
  bool no_verify = false;
  bool quiet = false;
  const SourceDestRegistryFlags* registries = nullptr;
  const BuildSbomFlags* sbom = nullptr;  // --sbom: the SBOM beside each output
};

Result<void> run_dockerfile_build(const DockerfileBuild& b, const CLI::App& app);

}  // namespace pith::cli
