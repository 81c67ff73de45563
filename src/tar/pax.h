// Internal to tar/: pax extended header records ("<len> <key>=<value>\n").
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace pith::tar {

using PaxRecords = std::vector<std::pair<std::string, std::string>>;

// Splits a pax header's data into records; every length is checked against the data.
Result<PaxRecords> parse_pax(std::string_view data);

// One record, its length prefix counting itself.
std::string pax_record(std::string_view key, std::string_view value);

}  // namespace pith::tar
