#include "build/verify.h"

namespace pith::build {

Result<void> verify_reachable(const Plan& plan, const std::string& user, const std::string& passwd,
                              const std::string& group, const std::vector<Needed>& needed,
                              const std::string& entrypoint) {
  auto who = lint::identity_of(user, passwd, group);
  if (!who) return {};  // a user the image does not know: another rule's finding
  auto meta = [&](const std::string& path) -> std::optional<lint::Meta> {
    auto it = plan.entries().find(path);
    if (it == plan.entries().end()) return std::nullopt;
    const PlanEntry& e = it->second;
    return lint::Meta{e.kind == EntryKind::directory, e.mode, e.uid, e.gid};
  };
  for (const auto& n : needed) {
    auto barrier = lint::first_barrier(n.path, *who, n.access, meta);
    if (!barrier) continue;
    std::string name = entrypoint.substr(entrypoint.rfind('/') + 1);
    return make_error("PL107 " + n.path + ": user " + user + " " + lint::describe(*barrier) +
                      "; build with --user 0, put the program where the user can reach it" +
                      (entrypoint.starts_with('/') ? ", or give the host file as ./" + name : "") +
                      " (--no-verify writes the image anyway; docs/rules/PL107.md)");
  }
  return {};
}

}  // namespace pith::build
