#include "registry/listing.h"

#include <nlohmann/json.hpp>

#include "util/limits.h"

namespace pith::registry {

namespace {

// Pages of up to 1000 names; a registry of 10 million repositories or tags is 10,000 pages.
constexpr int k_page_size = 1000;
constexpr size_t k_max_names = 10'000'000;

// The names under `key` of every page from `path` on.
Result<std::vector<std::string>> names(Client& client, std::string path, const std::string& key,
                                       const std::string& what) {
  std::vector<std::string> out;
  while (!path.empty()) {
    auto page = TRY(client.get_listing_page(path, what));
    auto doc = nlohmann::json::parse(page.body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
      return make_error(client.registry() + ": " + what + ": not a JSON object");
    auto list = doc.find(key);
    if (list != doc.end() && !list->is_null()) {  // distribution answers "tags": null when none
      if (!list->is_array())
        return make_error(client.registry() + ": " + what + ": \"" + key + "\" is not a list");
      for (const auto& name : *list) {
        if (!name.is_string() || name.get_ref<const std::string&>().empty() ||
            name.get_ref<const std::string&>().size() > k_max_path_bytes)
          return make_error(client.registry() + ": " + what + ": a name that is not a string");
        out.push_back(name.get<std::string>());
      }
    }
    if (out.size() > k_max_names)
      return make_error(client.registry() + ": " + what + ": more than " +
                        std::to_string(k_max_names) + " names");
    path = page.next;
  }
  return out;
}

}  // namespace

std::string next_link(const std::string& header) {
  size_t open = header.find('<');
  size_t close = header.find('>', open == std::string::npos ? 0 : open);
  if (open == std::string::npos || close == std::string::npos) return "";
  std::string rest = header.substr(close + 1);
  if (rest.find("rel=\"next\"") == std::string::npos && rest.find("rel=next") == std::string::npos)
    return "";
  return header.substr(open + 1, close - open - 1);
}

Result<std::vector<std::string>> list_repositories(Client& client) {
  return names(client, "/v2/_catalog?n=" + std::to_string(k_page_size), "repositories",
               "the catalog");
}

Result<std::vector<std::string>> list_tags(Client& client) {
  return names(client, "/v2/" + client.repository() + "/tags/list?n=" + std::to_string(k_page_size),
               "tags", "the tags of " + client.repository());
}

Result<Client::ListingPage> Client::get_listing_page(const std::string& path,
                                                     const std::string& what) {
  Response r = TRY(send(Request{"GET", url(path), {"Accept: application/json"}, "", true}));
  if (r.status != 200) return failure(r, what);
  ListingPage page{std::move(r.body), ""};
  // Followed only on this registry (the Authorization header goes with it).
  std::string next = next_link(r.header("link"));
  if (next.rfind("/v2/", 0) == 0) {
    page.next = next;
  } else if (!next.empty() && next.rfind(m_base + "/v2/", 0) == 0) {
    page.next = next.substr(m_base.size());
  }
  return page;
}

}  // namespace pith::registry
