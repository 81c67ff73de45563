// Sizes as people write them on command lines and in gates: "512", "50MB", "1.5GiB".
#pragma once

#include <string_view>

#include "util/result.h"

namespace pith {

// A number with an optional unit: B, kB/KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB
// (powers of 1024). The error names the text and what is wrong with it.
Result<double> parse_byte_size(std::string_view text);

}  // namespace pith
