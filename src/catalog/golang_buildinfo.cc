// Go build info: locating the "\xff Go buildinf:" blob in an ELF image and parsing modinfo,
// following debug/buildinfo and runtime/debug.ParseBuildInfo of the Go standard library.
#include <algorithm>

#include "catalog/golang.h"
#include "elf/file.h"

namespace pith::catalog {
namespace {

constexpr std::string_view k_magic = "\xff Go buildinf:";
constexpr uint64_t k_header_size = 32;  // magic, pointer size, flags, two pointers
constexpr uint64_t k_align = 16;
constexpr uint64_t k_search_window = 64 * 1024;      // the linker puts the blob near the start
constexpr uint64_t k_max_string = 64 * 1024 * 1024;  // far above any real modinfo
constexpr uint8_t k_flag_inline = 2;                 // Go >= 1.18: strings follow the header

// binary.Uvarint: value and bytes used; 0 bytes on truncation or overflow.
std::pair<uint64_t, size_t> uvarint(std::string_view b) {
  uint64_t v = 0;
  for (size_t i = 0; i < b.size() && i < 10; ++i) {
    auto c = static_cast<uint8_t>(b[i]);
    if (i == 9 && c > 1) return {0, 0};
    v |= uint64_t{c & 0x7fu} << (7 * i);
    if (c < 0x80) return {v, i + 1};
  }
  return {0, 0};
}

// A varint-prefixed string at `addr`; advances `addr` past it. "" when unreadable.
std::string inline_string(const elf::File& elf, uint64_t& addr) {
  auto [len, n] = uvarint(elf.read_vaddr(addr, 10));
  if (n == 0 || len > k_max_string) return {};
  std::string_view s = elf.read_vaddr(addr + n, len);
  if (s.size() < len) return {};
  addr += n + len;
  return std::string(s);
}

// A Go string header {data pointer, length} at `addr`, followed to its bytes.
std::string pointed_string(const elf::File& elf, uint64_t ptr_size, uint64_t addr) {
  std::string_view hdr = elf.read_vaddr(addr, 2 * ptr_size);
  if (hdr.size() < 2 * ptr_size) return {};
  uint64_t data = elf.read_uint(hdr, ptr_size);
  uint64_t len = elf.read_uint(hdr.substr(ptr_size), ptr_size);
  if (len > k_max_string) return {};
  std::string_view s = elf.read_vaddr(data, len);
  return s.size() < len ? std::string() : std::string(s);
}

// strconv.Unquote for the forms modinfo uses: `raw` and "escaped" strings.
Result<std::string> go_unquote(std::string_view q) {
  if (q.size() < 2 || q.front() != q.back()) return make_error("invalid quoted string");
  std::string_view body = q.substr(1, q.size() - 2);
  if (q.front() == '`') {
    if (body.find('`') != std::string_view::npos) return make_error("invalid raw string");
    return std::string(body);
  }
  std::string out;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '"') return make_error("unescaped quote");
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= body.size()) return make_error("trailing backslash");
    char e = body[i];
    static constexpr std::string_view k_from = "abfnrtv\\\"";
    static constexpr std::string_view k_to = "\a\b\f\n\r\t\v\\\"";
    if (size_t k = k_from.find(e); k != std::string_view::npos) {
      out += k_to[k];
      continue;
    }
    size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : (e >= '0' && e <= '7') ? 3 : 0;
    if (digits == 0) return make_error("unknown escape");
    int base = (e >= '0' && e <= '7') ? 8 : 16;
    size_t start = base == 8 ? i : i + 1;
    if (start + digits > body.size()) return make_error("short escape");
    uint32_t v = 0;
    for (size_t k = 0; k < digits; ++k) {
      char d = body[start + k];
      int dv = (d >= '0' && d <= '9')   ? d - '0'
               : (d >= 'a' && d <= 'f') ? d - 'a' + 10
               : (d >= 'A' && d <= 'F') ? d - 'A' + 10
                                        : 99;
      if (dv >= base) return make_error("bad escape digit");
      v = v * base + dv;
    }
    i = start + digits - 1;
    if (e == 'x' || base == 8) {
      if (v > 255) return make_error("octal escape out of range");
      out += static_cast<char>(v);
    } else {  // a code point, written as UTF-8
      if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) return make_error("bad code point");
      if (v < 0x80) {
        out += static_cast<char>(v);
      } else if (v < 0x800) {
        out += static_cast<char>(0xc0 | (v >> 6));
        out += static_cast<char>(0x80 | (v & 0x3f));
      } else if (v < 0x10000) {
        out += static_cast<char>(0xe0 | (v >> 12));
        out += static_cast<char>(0x80 | ((v >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (v & 0x3f));
      } else {
        out += static_cast<char>(0xf0 | (v >> 18));
        out += static_cast<char>(0x80 | ((v >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((v >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (v & 0x3f));
      }
    }
  }
  return out;
}

std::vector<std::string_view> split_tabs(std::string_view s) {
  std::vector<std::string_view> out;
  for (;;) {
    size_t t = s.find('\t');
    out.push_back(s.substr(0, t));
    if (t == std::string_view::npos) return out;
    s.remove_prefix(t + 1);
  }
}

Result<GoModule> module_line(std::string_view rest) {
  auto elem = split_tabs(rest);
  if (elem.size() != 2 && elem.size() != 3)
    return make_error("expected 2 or 3 columns; got " + std::to_string(elem.size()));
  return GoModule{std::string(elem[0]),
                  std::string(elem[1]),
                  elem.size() == 3 ? std::string(elem[2]) : std::string(),
                  false,
                  {},
                  {}};
}

Result<std::pair<std::string, std::string>> build_line(std::string_view kv) {
  if (kv.empty()) return make_error("build line missing '='");
  std::string key;
  std::string_view raw;
  if (kv[0] == '=') return make_error("build line with missing key");
  if (kv[0] == '"' || kv[0] == '`') {
    // The quoted key ends at the first unescaped closing quote.
    size_t end = 1;
    while (end < kv.size() && kv[end] != kv[0]) end += (kv[0] == '"' && kv[end] == '\\') ? 2 : 1;
    if (end >= kv.size() || end + 1 >= kv.size() || kv[end + 1] != '=')
      return make_error("bad quoted key in build line");
    key = TRY(go_unquote(kv.substr(0, end + 1)));
    raw = kv.substr(end + 2);
  } else {
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) return make_error("build line missing '=' after key");
    key = std::string(kv.substr(0, eq));
    raw = kv.substr(eq + 1);
  }
  std::string value(raw);
  if (!raw.empty() && (raw[0] == '"' || raw[0] == '`'))
    value = TRY_CTX("invalid quoted value in build line", go_unquote(raw));
  return std::pair{std::move(key), std::move(value)};
}

}  // namespace

Result<GoBuildInfo> parse_go_modinfo(std::string_view data) {
  GoBuildInfo bi;
  GoModule* last = nullptr;  // the module a "=>" line replaces
  size_t line_no = 0;
  while (!data.empty()) {
    size_t nl = data.find('\n');
    if (nl == std::string_view::npos) break;  // as Go: an unterminated last line is ignored
    std::string_view line = data.substr(0, nl);
    data.remove_prefix(nl + 1);
    ++line_no;
    auto ctx = "modinfo line " + std::to_string(line_no);
    if (line.starts_with("path\t")) {
      bi.path = std::string(line.substr(5));
    } else if (line.starts_with("mod\t")) {
      bi.main = TRY_CTX(ctx, module_line(line.substr(4)));
      last = &bi.main;
    } else if (line.starts_with("dep\t")) {
      bi.deps.push_back(TRY_CTX(ctx, module_line(line.substr(4))));
      last = &bi.deps.back();
    } else if (line.starts_with("=>\t")) {
      auto elem = split_tabs(line.substr(3));
      if (elem.size() != 3) return make_error(ctx + ": expected 3 columns for replacement");
      if (!last) return make_error(ctx + ": replacement with no module on previous line");
      last->replaced = true;
      last->replace_path = std::string(elem[0]);
      last->replace_version = std::string(elem[1]);
      last = nullptr;
    } else if (line.starts_with("build\t")) {
      bi.settings.push_back(TRY_CTX(ctx, build_line(line.substr(6))));
    }
  }
  return bi;
}

Result<GoBuildInfo> read_go_build_info(std::string_view elf_bytes) {
  elf::File elf = TRY_CTX("unrecognized executable format", elf::File::parse(elf_bytes));
  // Where the blob lives: its own section, else the first writable, non-executable segment.
  uint64_t start = 0;
  uint64_t size = 0;
  if (const elf::Section* s = elf.find_section(".go.buildinfo")) {
    start = s->addr;
    size = s->size;
  } else {
    for (const elf::Segment& p : elf.segments()) {
      if (p.type == elf::k_pt_load && (p.flags & (elf::k_pf_x | elf::k_pf_w)) == elf::k_pf_w) {
        start = p.vaddr;
        size = p.memsz;
        break;
      }
    }
  }
  const Error not_go{"not a Go executable"};
  if (size == 0) return not_go;
  std::string_view window = elf.read_vaddr(start, std::min(size, k_search_window));
  uint64_t at = 0;
  for (;;) {
    size_t i = window.find(k_magic, at);
    if (i == std::string_view::npos || window.size() - i < k_header_size) return not_go;
    if (i % k_align == 0) {
      at = i;
      break;
    }
    at = (i + k_align - 1) / k_align * k_align;
  }
  std::string_view header = window.substr(at, k_header_size);
  uint64_t addr = start + at;
  auto ptr_size = static_cast<uint8_t>(header[14]);
  auto flags = static_cast<uint8_t>(header[15]);
  std::string version;
  std::string mod;
  if (flags & k_flag_inline) {
    uint64_t cursor = addr + k_header_size;
    version = inline_string(elf, cursor);
    if (!version.empty()) mod = inline_string(elf, cursor);
  } else {
    if (ptr_size != 4 && ptr_size != 8) return not_go;
    // The pointers use the byte order the blob names, which is the file's for real binaries.
    if ((flags != 0) != elf.big_endian())
      return make_error("build info byte order differs from ELF");
    version = pointed_string(elf, ptr_size, elf.read_uint(header.substr(16), ptr_size));
    mod = pointed_string(elf, ptr_size, elf.read_uint(header.substr(16 + ptr_size), ptr_size));
  }
  if (version.empty()) return not_go;
  // modinfo is framed by two 16-byte sentinels (cmd/go's infoStart/infoEnd).
  if (mod.size() >= 33 && mod[mod.size() - 17] == '\n')
    mod = mod.substr(16, mod.size() - 32);
  else
    mod.clear();
  GoBuildInfo bi = TRY_CTX("build info", parse_go_modinfo(mod));
  bi.go_version = std::move(version);
  return bi;
}

}  // namespace pith::catalog
