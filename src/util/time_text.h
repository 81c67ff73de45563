// Times as image configs write them.
#pragma once

#include <cstdint>
#include <string>

namespace pith {

// Seconds since 1970 as RFC 3339 in UTC ("2023-11-14T22:13:20Z"), as `created` holds them.
std::string rfc3339(int64_t seconds);

}  // namespace pith
