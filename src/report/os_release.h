// etc/os-release (os-release(5)): KEY=value lines, values optionally quoted.
#pragma once

#include <string_view>

#include "report/model.h"

namespace pith::report {

OsInfo parse_os_release(std::string_view text);

}  // namespace pith::report
