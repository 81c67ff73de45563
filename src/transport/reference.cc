// Image references, parsed exactly as containers/image (skopeo, podman) parses them, so a
// reference that works there means the same thing here.
#include "transport/reference.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>

#include "oci/digest.h"

namespace pith::transport {

namespace {

constexpr std::string_view k_default_registry = "docker.io";
constexpr std::string_view k_legacy_registry = "index.docker.io";
constexpr size_t k_max_name_length = 255;  // registry/repository, as distribution limits it

struct TransportName {
  std::string_view prefix;
  Kind kind;
};
constexpr std::array<TransportName, 8> k_transports = {{
    {"oci", Kind::oci},
    {"oci-archive", Kind::oci_archive},
    {"docker-archive", Kind::docker_archive},
    {"dir", Kind::dir},
    {"rootfs", Kind::rootfs},
    {"docker", Kind::docker},
    {"docker-daemon", Kind::docker_daemon},
    {"containers-storage", Kind::containers_storage},
}};

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}
bool is_word(char c) {
  return is_alnum(c) || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// One repository path component: [a-z0-9]+ joined by ".", "_", "__" or any run of "-".
bool valid_path_component(std::string_view s) {
  size_t i = 0;
  for (;;) {
    size_t start = i;
    while (i < s.size() && is_lower_alnum(s[i])) ++i;
    if (i == start) return false;
    if (i == s.size()) return true;
    if (s[i] == '.') {
      ++i;
    } else if (s[i] == '_') {
      ++i;
      if (i < s.size() && s[i] == '_') ++i;
    } else if (s[i] == '-') {
      while (i < s.size() && s[i] == '-') ++i;
    } else {
      return false;
    }
  }
}

// A DNS-ish label: alphanumerics with inner hyphens.
bool valid_domain_component(std::string_view s) {
  if (s.empty() || !is_alnum(s.front()) || !is_alnum(s.back())) return false;
  for (char c : s)
    if (!is_alnum(c) && c != '-') return false;
  return true;
}

// host[:port], where host is dotted labels or a bracketed IPv6 address.
bool valid_registry(std::string_view s) {
  std::string_view host = s;
  if (!s.empty() && s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (char c : s.substr(1, close - 1))
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':') return false;
    host = {};
    s = s.substr(close + 1);
  } else {
    size_t colon = s.find(':');
    host = s.substr(0, colon);
    s = colon == std::string_view::npos ? std::string_view() : s.substr(colon);
    size_t start = 0;
    for (;;) {
      size_t dot = host.find('.', start);
      if (!valid_domain_component(host.substr(start, dot - start))) return false;
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
  }
  if (s.empty()) return true;
  if (s.front() != ':' || s.size() == 1) return false;
  for (char c : s.substr(1))
    if (!is_digit(c)) return false;
  return true;
}

bool valid_tag(std::string_view s) {
  if (s.empty() || s.size() > 128 || !is_word(s.front())) return false;
  for (char c : s)
    if (!is_word(c) && c != '.' && c != '-') return false;
  return true;
}

// An OCI layout's image name ("org.opencontainers.image.ref.name"), as containers/image
// validates it: alphanumeric components joined by one of "-._:@+" or "--", split by "/".
bool valid_oci_tag(std::string_view s) {
  size_t i = 0;
  for (;;) {
    size_t start = i;
    while (i < s.size() && is_alnum(s[i])) ++i;
    if (i == start) return false;
    if (i == s.size()) return true;
    if (s[i] == '/') {
      ++i;
    } else if (s.substr(i, 2) == "--") {
      i += 2;
    } else if (std::string_view("-._:@+").find(s[i]) != std::string_view::npos) {
      ++i;
    } else {
      return false;
    }
  }
}

Error invalid(std::string_view text, const std::string& why) {
  return make_error("invalid reference \"" + std::string(text) + "\": " + why);
}

// "PATH[:TAG]" of the oci and oci-archive transports.
Result<void> parse_oci_rest(std::string_view text, std::string_view rest, ImageRef& ref) {
  size_t colon = rest.find(':');
  ref.path = std::string(rest.substr(0, colon));
  if (colon != std::string_view::npos) {
    ref.tag = std::string(rest.substr(colon + 1));
    if (!valid_oci_tag(ref.tag)) return invalid(text, "invalid image name \"" + ref.tag + "\"");
  }
  return {};
}

// "PATH[:NAME:TAG|:@N]" of the docker-archive transport.
Result<void> parse_docker_archive_rest(std::string_view text, std::string_view rest,
                                       ImageRef& ref) {
  size_t colon = rest.find(':');
  ref.path = std::string(rest.substr(0, colon));
  if (colon == std::string_view::npos) return {};
  std::string_view sel = rest.substr(colon + 1);
  if (!sel.empty() && sel.front() == '@') {
    std::string_view digits = sel.substr(1);
    unsigned index = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
    bool all_digits = !digits.empty() && std::all_of(digits.begin(), digits.end(), is_digit);
    if (!all_digits || ec != std::errc() || end != digits.data() + digits.size() ||
        index > static_cast<unsigned>(INT32_MAX))
      return invalid(text, "invalid source index \"" + std::string(sel) + "\"");
    ref.tag = "@" + std::to_string(index);
    return {};
  }
  auto name = parse_docker_name(sel);
  if (!name) return invalid(text, name.error().message);
  if (!name->digest.empty()) return invalid(text, "docker-archive does not support digests");
  ref.tag = name->str();
  return {};
}

bool is_hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return is_digit(c) || (c >= 'a' && c <= 'f');
         });
}

// "NAME[:TAG][@DIGEST]" or an image ID of docker-daemon and containers-storage. The name is
// kept as written: the daemon resolves it the way its own CLI does.
Result<void> parse_daemon_rest(std::string_view text, std::string_view rest, ImageRef& ref) {
  if (rest.empty()) return invalid(text, "empty image name");
  if (ref.kind == Kind::containers_storage && rest.front() == '[')
    return invalid(text,
                   "a store specification ([driver@root+runroot]) is not supported: pith "
                   "reads podman's store through its API (set CONTAINER_HOST)");
  std::string_view id = rest;
  if (id.substr(0, 7) == "sha256:") {
    id = id.substr(7);
    if (!is_hex64(id)) return invalid(text, "an image ID is sha256: and 64 hexadecimal digits");
  }
  // containers-storage also takes a bare ID (what `podman images --no-trunc` prints).
  if (is_hex64(id) && (id.size() != rest.size() || ref.kind == Kind::containers_storage)) {
    ref.tag = "sha256:" + std::string(id);
    return {};
  }
  auto name = parse_docker_name(rest);
  if (!name) return invalid(text, name.error().message);
  ref.tag = std::string(rest);
  ref.docker = std::move(name).value();
  return {};
}

}  // namespace

std::string DockerName::str() const {
  std::string s = registry + "/" + repository;
  if (!tag.empty()) s += ":" + tag;
  if (!digest.empty()) s += "@" + digest;
  return s;
}

Result<DockerName> parse_docker_name(std::string_view text) {
  if (text.empty()) return make_error("empty image name");
  if (text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
        return is_digit(c) || (c >= 'a' && c <= 'f');
      }))
    return make_error("a 64-character hexadecimal string is an image ID, not a name");

  DockerName n;
  std::string_view name = text;
  if (size_t at = name.find('@'); at != std::string_view::npos) {
    auto d = oci::Digest::parse(name.substr(at + 1));
    if (!d) return d.error();
    n.digest = d->str();
    name = name.substr(0, at);
  }
  size_t colon = name.rfind(':');
  size_t slash = name.rfind('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    n.tag = std::string(name.substr(colon + 1));
    if (!valid_tag(n.tag)) return make_error("invalid tag \"" + n.tag + "\"");
    name = name.substr(0, colon);
  }

  // The first component names a registry only if it looks like a host; "library/alpine"
  // and "alpine" are Docker Hub names.
  std::string_view repo = name;
  n.registry = k_default_registry;
  if (size_t first = name.find('/'); first != std::string_view::npos) {
    std::string_view head = name.substr(0, first);
    if (head.find_first_of(".:") != std::string_view::npos || head == "localhost") {
      if (!valid_registry(head))
        return make_error("invalid registry \"" + std::string(head) + "\"");
      n.registry = head == k_legacy_registry ? k_default_registry : head;
      repo = name.substr(first + 1);
    }
  }
  n.repository = std::string(repo);
  if (n.registry == k_default_registry && repo.find('/') == std::string_view::npos)
    n.repository = "library/" + n.repository;

  if (std::any_of(repo.begin(), repo.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
    return make_error("repository name \"" + std::string(repo) + "\" must be lowercase");
  size_t start = 0;
  for (;;) {
    size_t next = repo.find('/', start);
    if (!valid_path_component(repo.substr(start, next - start)))
      return make_error("invalid repository name \"" + std::string(repo) + "\"");
    if (next == std::string_view::npos) break;
    start = next + 1;
  }
  if (n.registry.size() + 1 + n.repository.size() > k_max_name_length)
    return make_error("repository name longer than " + std::to_string(k_max_name_length));
  if (n.tag.empty() && n.digest.empty()) n.tag = "latest";
  return n;
}

Result<ImageRef> parse_reference(std::string_view text) {
  ImageRef ref;
  size_t colon = text.find(':');
  std::string_view transport = text.substr(0, colon);
  const TransportName* known = nullptr;
  if (colon != std::string_view::npos)
    for (const auto& t : k_transports)
      if (t.prefix == transport) known = &t;

  if (known == nullptr) {
    if (text.empty()) return invalid(text, "empty path");
    ref.kind = Kind::path;
    ref.path = std::string(text);
    return ref;
  }
  ref.kind = known->kind;
  std::string_view rest = text.substr(colon + 1);
  switch (ref.kind) {
    case Kind::oci:
    case Kind::oci_archive:
      TRY(parse_oci_rest(text, rest, ref));
      break;
    case Kind::docker_archive:
      TRY(parse_docker_archive_rest(text, rest, ref));
      break;
    case Kind::dir:
    case Kind::rootfs:
    case Kind::path:
      ref.path = std::string(rest);
      break;
    case Kind::docker: {
      if (rest.substr(0, 2) != "//") return invalid(text, "expected docker://NAME");
      auto name = parse_docker_name(rest.substr(2));
      if (!name) return invalid(text, name.error().message);
      ref.docker = std::move(name).value();
      return ref;
    }
    case Kind::docker_daemon:
    case Kind::containers_storage:
      TRY(parse_daemon_rest(text, rest, ref));
      return ref;
  }
  if (ref.path.empty()) return invalid(text, "empty path");
  return ref;
}

std::string ImageRef::str() const {
  switch (kind) {
    case Kind::docker:
      return "docker://" + docker.str();
    case Kind::dir:
    case Kind::rootfs:
      return std::string(kind_name(kind)) + ":" + path;
    case Kind::path: {
      // A path that reads like a transport reference is written so it stays a path.
      size_t colon = path.find(':');
      if (colon != std::string::npos)
        for (const auto& t : k_transports)
          if (t.prefix == std::string_view(path).substr(0, colon)) return "./" + path;
      return path;
    }
    case Kind::docker_daemon:
    case Kind::containers_storage:
      return std::string(kind_name(kind)) + ":" + tag;
    case Kind::oci:
    case Kind::oci_archive:
    case Kind::docker_archive:
      break;
  }
  std::string s = std::string(kind_name(kind)) + ":" + path;
  if (!tag.empty()) s += ":" + tag;
  return s;
}

std::string_view kind_name(Kind k) {
  switch (k) {
    case Kind::oci:
      return "oci";
    case Kind::oci_archive:
      return "oci-archive";
    case Kind::docker_archive:
      return "docker-archive";
    case Kind::dir:
      return "dir";
    case Kind::rootfs:
      return "rootfs";
    case Kind::docker:
      return "docker";
    case Kind::docker_daemon:
      return "docker-daemon";
    case Kind::containers_storage:
      return "containers-storage";
    case Kind::path:
      return "path";
  }
  return "path";
}

std::string unknown_transport(std::string_view path) {
  size_t colon = path.find(':');
  if (colon == std::string_view::npos || colon == 0) return "";
  std::string_view word = path.substr(0, colon);
  // A scheme as RFC 3986 spells it, or a transport-like word with no path separator in it: a
  // relative file named "a:b" must be written "./a:b", as skopeo users know.
  bool scheme =
      std::all_of(word.begin(), word.end(),
                  [](char c) { return is_lower_alnum(c) || c == '-' || c == '+' || c == '.'; }) &&
      !is_digit(word.front());
  if (!scheme) return "";
  for (const auto& t : k_transports)
    if (t.prefix == word) return "";
  return std::string(word);
}

std::string known_transports() {
  std::string s;
  for (const auto& t : k_transports) {
    if (!s.empty()) s += ", ";
    s += std::string(t.prefix) + (t.kind == Kind::docker ? "://" : ":");
  }
  return s;
}

}  // namespace pith::transport
