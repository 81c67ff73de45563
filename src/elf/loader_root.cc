#include "elf/loader_root.h"

#include <sys/stat.h>

namespace pith::elf {

std::string DirLoaderRoot::shown(std::string_view path) const {
  return m_root.dir() == "/" ? std::string(path) : m_root.dir() + std::string(path);
}

Result<DynamicInfo> DirLoaderRoot::dynamic_info(const std::string& path) const {
  UniqueFd fd = TRY(m_root.open_file(path));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return make_error(shown(path) + ": not a regular file");
  return read_dynamic_fd(fd.get());
}

}  // namespace pith::elf
