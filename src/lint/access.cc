#include "lint/access.h"

#include <charconv>

#include <fmt/format.h>

namespace pith::lint {

namespace {

std::optional<uint64_t> number(std::string_view s) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// The ':'-separated fields of each line of an /etc/passwd or /etc/group text.
template <typename Visit>
void for_each_line(std::string_view text, Visit visit) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    std::vector<std::string_view> fields;
    while (true) {
      size_t colon = line.find(':');
      fields.push_back(line.substr(0, colon));
      if (colon == std::string_view::npos) break;
      line.remove_prefix(colon + 1);
    }
    if (!fields.empty() && !fields[0].empty() && !fields[0].starts_with('#')) visit(fields);
  }
}

}  // namespace

bool passwd_has_uid(std::string_view passwd, std::string_view uid) {
  bool found = false;
  for_each_line(passwd, [&](const std::vector<std::string_view>& f) {
    found |= f.size() >= 3 && f[2] == uid;
  });
  return found;
}

std::optional<Identity> identity_of(std::string_view user, std::string_view passwd,
                                    std::string_view group) {
  size_t colon = user.find(':');
  std::string_view u = user.substr(0, colon);
  std::string_view g =
      colon == std::string_view::npos ? std::string_view() : user.substr(colon + 1);
  Identity who;
  std::optional<uint64_t> uid = number(u);
  std::optional<uint64_t> primary;
  std::string name;
  for_each_line(passwd, [&](const std::vector<std::string_view>& f) {
    if (f.size() < 4 || !name.empty()) return;
    auto line_uid = number(f[2]);
    if (uid ? line_uid == uid : f[0] == u) {
      name = std::string(f[0]);
      uid = line_uid;
      primary = number(f[3]);
    }
  });
  if (!uid) return std::nullopt;
  who.uid = *uid;
  who.gid = primary.value_or(0);
  if (!g.empty()) {
    std::optional<uint64_t> gid = number(g);
    for_each_line(group, [&](const std::vector<std::string_view>& f) {
      if (!gid && f.size() >= 3 && f[0] == g) gid = number(f[2]);
    });
    if (!gid) return std::nullopt;
    who.gid = *gid;
  }
  if (!name.empty()) {
    for_each_line(group, [&](const std::vector<std::string_view>& f) {
      if (f.size() < 4) return;
      auto gid = number(f[2]);
      std::string_view members = f[3];
      while (gid && !members.empty()) {
        size_t comma = members.find(',');
        if (members.substr(0, comma) == name) {
          who.groups.push_back(*gid);
          break;
        }
        members = comma == std::string_view::npos ? std::string_view() : members.substr(comma + 1);
      }
    });
  }
  return who;
}

bool allows(const Meta& meta, const Identity& who, Access access) {
  uint32_t bit = access == Access::read ? 4 : 1;
  if (who.uid == 0) return access != Access::execute || meta.directory || (meta.mode & 0111);
  if (meta.uid == who.uid) return meta.mode & (bit << 6);
  bool in_group = meta.gid == who.gid;
  for (uint64_t g : who.groups) in_group |= g == meta.gid;
  if (in_group) return meta.mode & (bit << 3);
  return meta.mode & bit;
}

std::optional<Barrier> first_barrier(
    std::string_view path, const Identity& who, Access last,
    const std::function<std::optional<Meta>(const std::string&)>& meta) {
  Meta implied{true, 0755, 0, 0};
  for (size_t slash = path.find('/', 1); slash != std::string_view::npos;
       slash = path.find('/', slash + 1)) {
    std::string dir(path.substr(0, slash));
    Meta m = meta(dir).value_or(implied);
    if (!allows(m, who, Access::search)) return Barrier{dir, m, Access::search};
  }
  std::string file(path);
  auto m = meta(file);
  if (m && !allows(*m, who, last)) return Barrier{file, *m, last};
  return std::nullopt;
}

std::string describe(const Barrier& b) {
  const char* verb = b.needed == Access::search ? "search"
                     : b.needed == Access::read ? "read"
                                                : "execute";
  return fmt::format("cannot {} {} (mode {:04o}, owner {}:{})", verb, b.path, b.meta.mode,
                     b.meta.uid, b.meta.gid);
}

}  // namespace pith::lint
