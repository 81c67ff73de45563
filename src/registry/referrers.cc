// Referrers: the artifact manifest, the referrers API and its tag fallback.
#include "registry/referrers.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "oci/canonical_json.h"
#include "oci/media_types.h"
#include "registry/auth.h"     // percent_encode
#include "registry/listing.h"  // next_link

namespace pith::registry {

namespace {

// A registry paginates a long referrers list; pith follows this many pages at most (each is
// up to 4 MiB, and the total is bounded by k_max_referrers anyway).
constexpr int k_max_pages = 64;
constexpr size_t k_max_referrers = 4096;

bool tag_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

bool matches(const oci::Descriptor& d, const std::string& artifact_type) {
  return artifact_type.empty() || d.artifact_type == artifact_type;
}

oci::Descriptor bare(const oci::Descriptor& d) {
  oci::Descriptor out;
  out.media_type = d.media_type;
  out.digest = d.digest;
  out.size = d.size;
  return out;
}

}  // namespace

std::string referrers_tag(std::string_view digest) {
  size_t colon = digest.find(':');
  std::string_view algorithm = digest.substr(0, std::min<size_t>(colon, 32));
  std::string_view encoded =
      colon == std::string_view::npos ? std::string_view() : digest.substr(colon + 1, 64);
  std::string tag = std::string(algorithm) + "-" + std::string(encoded);
  for (char& c : tag)
    if (!tag_char(c)) c = '-';
  return tag;
}

bool is_referrers_tag(std::string_view tag) {
  constexpr std::string_view prefix = "sha256-";
  if (!tag.starts_with(prefix) || tag.size() < prefix.size() + 64) return false;
  for (char c : tag.substr(prefix.size(), 64))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return tag.size() == prefix.size() + 64 || tag[prefix.size() + 64] == '.';
}

oci::Descriptor empty_descriptor() {
  oci::Descriptor d;
  d.media_type = std::string(oci::media::oci_empty);
  d.digest = oci::Digest::sha256_of(k_empty_json);
  d.size = k_empty_json.size();
  return d;
}

std::string_view via_name(ReferrersVia v) {
  return v == ReferrersVia::api ? "referrers API" : "referrers tag";
}

oci::Manifest artifact_manifest(const Artifact& a, const oci::Descriptor& subject) {
  oci::Manifest m;
  m.media_type = std::string(oci::media::oci_manifest);
  m.artifact_type = a.artifact_type;
  m.config = empty_descriptor();
  oci::Descriptor layer;
  layer.media_type = a.media_type;
  layer.digest = oci::Digest::sha256_of(a.content);
  layer.size = a.content.size();
  layer.annotations = a.layer_annotations;
  m.layers.push_back(std::move(layer));
  m.annotations = a.annotations;
  m.subject = bare(subject);
  return m;
}

oci::Descriptor referrer_descriptor(const oci::Manifest& m, const std::string& bytes) {
  oci::Descriptor d;
  d.media_type = m.media_type.empty() ? std::string(oci::media::oci_manifest) : m.media_type;
  d.digest = oci::Digest::sha256_of(bytes);
  d.size = bytes.size();
  d.artifact_type = m.artifact_type.empty() ? m.config.media_type : m.artifact_type;
  d.annotations = m.annotations;
  return d;
}

Result<std::optional<std::string>> add_to_referrers_index(
    const std::optional<FetchedManifest>& existing, const oci::Descriptor& entry) {
  nlohmann::json index;
  if (existing) {
    if (oci::sniff_document(existing->bytes, existing->media_type) != oci::DocumentKind::index)
      return make_error("it holds a manifest, not an index of referrers (left as it is)");
    auto parsed = TRY(oci::parse_index(existing->bytes));
    for (const auto& d : parsed.manifests)
      if (d.digest == entry.digest) return std::optional<std::string>();
    if (parsed.manifests.size() >= k_max_referrers)
      return make_error("it lists " + std::to_string(parsed.manifests.size()) +
                        " referrers already");
    // Edited as JSON, so what other tools wrote in their entries stays as they wrote it.
    index = nlohmann::json::parse(existing->bytes);
    if (!index["manifests"].is_array()) index["manifests"] = nlohmann::json::array();
  } else {
    index = {{"schemaVersion", 2},
             {"mediaType", std::string(oci::media::oci_index)},
             {"manifests", nlohmann::json::array()}};
  }
  index["manifests"].push_back(oci::to_json(entry));
  return std::optional<std::string>(oci::canonical_json(index));
}

Result<std::vector<oci::Descriptor>> referrers_in_index(std::string_view bytes,
                                                        const std::string& artifact_type) {
  auto index = TRY(oci::parse_index(bytes));
  if (index.manifests.size() > k_max_referrers)
    return make_error("more than " + std::to_string(k_max_referrers) + " referrers");
  std::vector<oci::Descriptor> out;
  for (auto& d : index.manifests)
    if (matches(d, artifact_type)) out.push_back(std::move(d));
  return out;
}

Result<std::optional<Client::ReferrersPage>> Client::get_referrers_page(const std::string& path) {
  Response r = TRY(
      send(Request{"GET", url(path), {"Accept: " + std::string(oci::media::oci_index)}, "", true}));
  if (r.status == 404) return std::optional<ReferrersPage>();
  if (r.status != 200) return failure(r, "referrers");
  ReferrersPage page{std::move(r.body), r.header("oci-filters-applied"), ""};
  std::string next = next_link(r.header("link"));
  // Followed only on this registry (the Authorization header goes with it).
  if (next.rfind("/v2/" + m_repository + "/referrers/", 0) == 0) {
    page.next = next;
  } else if (!next.empty() && next.rfind(m_base + "/v2/", 0) == 0) {
    page.next = next.substr(m_base.size());
  }
  return std::optional<ReferrersPage>(std::move(page));
}

Result<Referrers> list_referrers(Client& client, const oci::Digest& subject,
                                 const std::string& artifact_type) {
  std::string path = "/v2/" + client.repository() + "/referrers/" + subject.str();
  if (!artifact_type.empty()) path += "?artifactType=" + percent_encode(artifact_type);
  Referrers out{{}, ReferrersVia::api};
  for (int page_number = 0; !path.empty(); ++page_number) {
    if (page_number == k_max_pages)
      return make_error(client.describe() + ": referrers of " + subject.str() + ": more than " +
                        std::to_string(k_max_pages) + " pages");
    auto page = TRY(client.get_referrers_page(path));
    if (!page) {
      if (page_number > 0)
        return make_error(client.describe() + ": referrers of " + subject.str() +
                          ": a next page is not found");
      break;  // no referrers API: the tag below
    }
    // Filtered by the registry only if it says so; else here.
    bool filtered = page->filters_applied.find("artifactType") != std::string::npos;
    auto found = TRY(referrers_in_index(page->body, filtered ? std::string() : artifact_type)
                         .wrap(client.describe() + ": referrers of " + subject.str()));
    if (out.manifests.size() + found.size() > k_max_referrers)
      return make_error(client.describe() + ": referrers of " + subject.str() + ": more than " +
                        std::to_string(k_max_referrers));
    out.manifests.insert(out.manifests.end(), found.begin(), found.end());
    path = page->next;
    if (path.empty()) return out;
  }
  out.via = ReferrersVia::tag;
  std::string tag = referrers_tag(subject.str());
  auto fetched = TRY(client.find_manifest(tag));
  // The spec: a tag that is absent or not an index means no referrers.
  if (!fetched ||
      oci::sniff_document(fetched->bytes, fetched->media_type) != oci::DocumentKind::index)
    return out;
  out.manifests = TRY(
      referrers_in_index(fetched->bytes, artifact_type).wrap(client.describe() + ": tag " + tag));
  return out;
}

Result<Attached> attach_referrer(Client& client, const oci::Descriptor& subject,
                                 const Artifact& artifact) {
  // 1. The blobs: the empty config and the content (skipped where the registry has them).
  auto put_blob = [&](const oci::Descriptor& d, std::string_view bytes) -> Result<void> {
    if (TRY(client.has_blob(d.digest))) return {};
    std::string copy(bytes);
    TRY(client.upload_blob(d, [&]() -> Result<std::unique_ptr<ByteSource>> {
      return std::unique_ptr<ByteSource>(std::make_unique<MemorySource>(copy));
    }));
    return {};
  };
  oci::Manifest m = artifact_manifest(artifact, subject);
  TRY(put_blob(m.config, k_empty_json));
  TRY(put_blob(m.layers[0], artifact.content));

  // 2. The manifest, by digest: a registry with the referrers API answers OCI-Subject.
  std::string bytes = oci::serialize(m);
  oci::Descriptor entry = referrer_descriptor(m, bytes);
  std::string indexed =
      TRY(client.put_manifest_with_subject(entry.digest.str(), entry.media_type, bytes));
  Attached out{bare(entry), ReferrersVia::api};
  if (!indexed.empty()) return out;
  // Some registries have the API without sending the header (oras-go asks too).
  std::string ping = "/v2/" + client.repository() + "/referrers/" + subject.digest.str();
  if (TRY(client.get_referrers_page(ping))) return out;

  // 3. No API: the index at the referrers tag, read, the entry added, written back.
  out.via = ReferrersVia::tag;
  std::string tag = referrers_tag(subject.digest.str());
  auto existing = TRY(client.find_manifest(tag));
  auto updated =
      TRY(add_to_referrers_index(existing, entry).wrap(client.describe() + ": tag " + tag));
  if (updated) TRY(client.put_manifest(tag, std::string(oci::media::oci_index), *updated));
  return out;
}

Result<std::string> read_referrer(Client& client, const oci::Descriptor& referrer,
                                  const oci::Digest& subject, std::string_view layer_media_type,
                                  uint64_t limit) {
  std::string what = client.describe() + ": referrer " + referrer.digest.str();
  TRY(oci::check_manifest_size(referrer).wrap(client.describe() + ": referrer"));
  auto fetched = TRY(client.get_manifest(referrer.digest.str()));
  if (referrer.digest.algorithm == "sha256" &&
      oci::Digest::sha256_of(fetched.bytes) != referrer.digest)
    return make_error(what + ": the registry sent a manifest whose digest is " +
                      oci::Digest::sha256_of(fetched.bytes).str());
  if (oci::sniff_document(fetched.bytes, fetched.media_type) != oci::DocumentKind::manifest)
    return make_error(what + ": not an image manifest");
  auto m = TRY(oci::parse_manifest(fetched.bytes).wrap(what));
  if (!m.subject || m.subject->digest != subject)
    return make_error(what + ": its subject is " +
                      (m.subject ? m.subject->digest.str() : std::string("missing")) + ", not " +
                      subject.str());
  // The layer of the wanted type, else the only one (oras attach, for one, names its file's
  // layer application/vnd.oci.image.layer.v1.tar whatever the artifact type).
  const oci::Descriptor* layer = nullptr;
  for (const auto& l : m.layers)
    if (!layer_media_type.empty() && l.media_type == layer_media_type) {
      layer = &l;
      break;
    }
  if (layer == nullptr && m.layers.size() == 1) layer = &m.layers[0];
  if (layer == nullptr)
    return make_error(
        what + ": " + std::to_string(m.layers.size()) + " layers, none of type " +
        (layer_media_type.empty() ? std::string("-") : std::string(layer_media_type)));
  if (layer->size > limit)
    return make_error(what + ": its content is " + std::to_string(layer->size) +
                      " bytes, more than the " + std::to_string(limit) + " pith reads");
  auto raw = TRY(client.open_blob(layer->digest, layer->size));
  auto verified = oci::verifying(std::move(raw), layer->digest, layer->size,
                                 what + ": blob " + layer->digest.str());
  return read_all(*verified, limit);
}

std::optional<oci::Descriptor> latest_referrer(const std::vector<oci::Descriptor>& list) {
  std::optional<oci::Descriptor> best;
  std::string best_time;
  for (const auto& d : list) {
    auto it = d.annotations.find("org.opencontainers.image.created");
    std::string t = it == d.annotations.end() ? "" : it->second;
    if (!best || t >= best_time) {
      best = d;
      best_time = t;
    }
  }
  return best;
}

}  // namespace pith::registry
