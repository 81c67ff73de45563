// Java: the runtime's home (the folder above bin/java: its modules image, libjvm and
// configuration, whose links into /etc are followed) and the classpath the command names.
#include "slim/keep.h"

namespace pith::slim {

Result<void> keep_java(const RootDir& root, const std::string& interpreter,
                       const std::vector<std::string>& args, const std::string& workdir,
                       Keep& keep) {
  std::string home = dir_of(dir_of(interpreter));  // .../jvm/java-17/bin/java -> .../java-17
  if (home != "/" && home != "/usr") keep.add(home, "java: the runtime's home");
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    const std::string& a = args[i];
    if (a != "-jar" && a != "-cp" && a != "-classpath" && a != "--class-path") continue;
    std::string list = args[i + 1];
    size_t start = 0;
    while (start <= list.size()) {
      size_t end = list.find(':', start);
      std::string entry =
          list.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (entry.size() >= 2 && entry.substr(entry.size() - 2) == "/*")
        entry.resize(entry.size() - 2);
      if (!entry.empty() && entry != "*") {
        std::string p = absolute(entry, workdir);
        if (TRY(root.exists(p))) keep.add(p, "java: " + a);
      }
      if (end == std::string::npos) break;
      start = end + 1;
    }
    if (a == "-jar") break;
  }
  return {};
}

}  // namespace pith::slim
