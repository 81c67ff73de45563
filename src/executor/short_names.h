// FROM's short names as podman resolves them (containers-registries.conf(5)): a name without a
// registry ("alpine:3.19", "centos") takes its alias from the [aliases] tables of
// registries.conf and registries.conf.d/*.conf (Debian ships shortnames.conf: "centos" is
// quay.io/centos/centos), else the first of unqualified-search-registries, else docker.io (what
// Docker does). A name with a registry ("localhost:5000/x", "quay.io/y") is left as it is.
#pragma once

#include <string>
#include <vector>

namespace pith::executor {

// The files podman reads, in its order (later ones override earlier aliases): the system's
// /etc/containers/registries.conf and its .d/*.conf, then the user's
// $HOME/.config/containers/ ones.
std::vector<std::string> registries_conf_files();

// "alpine:3.19" -> "docker.io/library/alpine:3.19" (with Debian's aliases).
std::string resolve_short_name(const std::string& name, const std::vector<std::string>& files);

}  // namespace pith::executor
