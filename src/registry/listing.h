// The registry's listings: repositories (GET /v2/_catalog) and a repository's tags
// (GET /v2/<name>/tags/list), each followed through its Link rel="next" pages.
#pragma once

#include <string>
#include <vector>

#include "registry/client.h"

namespace pith::registry {

// The target of a Link header's rel="next" ("<url>; rel=\"next\""), "" if none.
std::string next_link(const std::string& header);

// Every repository the registry lists. `client` is made for the registry with an empty
// repository and Access::catalog (a token server grants "registry:catalog:*").
Result<std::vector<std::string>> list_repositories(Client& client);

// Every tag of the client's repository, as the registry lists them.
Result<std::vector<std::string>> list_tags(Client& client);

}  // namespace pith::registry
