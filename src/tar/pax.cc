// pax extended header records: parsing (bounds-checked) and encoding.
#include "tar/pax.h"

namespace pith::tar {

Result<PaxRecords> parse_pax(std::string_view data) {
  PaxRecords out;
  while (!data.empty()) {
    // Some writers pad the data with NULs after the last record.
    if (data[0] == '\0') break;
    size_t len = 0;
    size_t i = 0;
    for (; i < data.size() && data[i] >= '0' && data[i] <= '9'; ++i) {
      if (len > data.size()) return make_error("pax record length is too large");
      len = len * 10 + static_cast<size_t>(data[i] - '0');
    }
    if (i == 0 || i >= data.size() || data[i] != ' ')
      return make_error("malformed pax record length");
    if (len <= i + 1 || len > data.size()) return make_error("pax record length out of range");
    if (data[len - 1] != '\n') return make_error("pax record does not end in a newline");
    std::string_view record = data.substr(i + 1, len - i - 2);
    size_t eq = record.find('=');
    if (eq == std::string_view::npos || eq == 0) return make_error("pax record has no key");
    out.emplace_back(std::string(record.substr(0, eq)), std::string(record.substr(eq + 1)));
    data.remove_prefix(len);
  }
  return out;
}

std::string pax_record(std::string_view key, std::string_view value) {
  // The length counts its own digits, so grow it until it is consistent.
  size_t body = 1 + key.size() + 1 + value.size() + 1;
  size_t len = body + 1;
  while (std::to_string(len).size() + body != len) len = std::to_string(len).size() + body;
  std::string rec = std::to_string(len);
  rec += ' ';
  rec += key;
  rec += '=';
  rec += value;
  rec += '\n';
  return rec;
}

}  // namespace pith::tar
