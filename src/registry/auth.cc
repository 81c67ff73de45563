// Challenge parsing and the token flows' small formats.
#include "registry/auth.h"
#include "util/ascii.h"

#include <nlohmann/json.hpp>

namespace pith::registry {

namespace {

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A cursor over the header with the few lexical rules RFC 7235 needs.
class Lexer {
 public:
  explicit Lexer(std::string_view s) : m_s(s) {}
  bool done() const { return m_pos >= m_s.size(); }
  char peek() const { return done() ? '\0' : m_s[m_pos]; }
  void skip_space() {
    while (!done() && (m_s[m_pos] == ' ' || m_s[m_pos] == '\t')) ++m_pos;
  }
  std::string_view token() {
    size_t start = m_pos;
    while (!done() && is_token_char(m_s[m_pos])) ++m_pos;
    return m_s.substr(start, m_pos - start);
  }
  // An unquoted value: a token by the RFC, but servers send URLs unquoted too.
  std::string_view bare() {
    size_t start = m_pos;
    while (!done() && m_s[m_pos] != ',' && m_s[m_pos] != ' ' && m_s[m_pos] != '\t') ++m_pos;
    return m_s.substr(start, m_pos - start);
  }
  // A quoted-string (after the opening quote was seen); backslash escapes one character.
  std::string quoted() {
    std::string out;
    ++m_pos;
    while (!done() && m_s[m_pos] != '"') {
      if (m_s[m_pos] == '\\' && m_pos + 1 < m_s.size()) ++m_pos;
      out += m_s[m_pos++];
    }
    if (!done()) ++m_pos;
    return out;
  }
  size_t pos() const { return m_pos; }
  void seek(size_t p) { m_pos = p; }
  void advance() { ++m_pos; }

 private:
  std::string_view m_s;
  size_t m_pos = 0;
};

}  // namespace

std::string Challenge::param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

std::vector<Challenge> parse_www_authenticate(std::string_view header) {
  std::vector<Challenge> out;
  Lexer lx(header);
  while (!lx.done()) {
    lx.skip_space();
    if (lx.peek() == ',') {
      lx.advance();
      continue;
    }
    std::string_view scheme = lx.token();
    if (scheme.empty()) {
      lx.advance();  // junk: skip one character and resynchronise
      continue;
    }
    Challenge c;
    c.scheme = ascii_lower(scheme);
    // Parameters: name=value pairs separated by commas, until a token not followed by '='
    // (the next challenge's scheme).
    while (true) {
      lx.skip_space();
      while (lx.peek() == ',') {
        lx.advance();
        lx.skip_space();
      }
      size_t mark = lx.pos();
      std::string_view name = lx.token();
      lx.skip_space();
      if (name.empty() || lx.peek() != '=') {
        lx.seek(mark);
        break;
      }
      lx.advance();
      lx.skip_space();
      std::string value = lx.peek() == '"' ? lx.quoted() : std::string(lx.bare());
      c.params.emplace(ascii_lower(name), std::move(value));
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string repository_scope(std::string_view repository, Access access) {
  return "repository:" + std::string(repository) +
         (access == Access::push ? ":pull,push" : ":pull");
}

std::string percent_encode(std::string_view text) {
  static const char* k_hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
    }
  }
  return out;
}

Result<std::string> token_realm(const Challenge& bearer) {
  std::string realm = bearer.param("realm");
  if (realm.rfind("https://", 0) != 0 && realm.rfind("http://", 0) != 0)
    return make_error("the registry's token realm is not an http(s) URL");
  return realm;
}

Result<std::string> token_url(const Challenge& bearer, const std::vector<std::string>& scopes) {
  std::string realm = TRY(token_realm(bearer));
  std::string url = realm;
  char sep = realm.find('?') == std::string::npos ? '?' : '&';
  std::string service = bearer.param("service");
  if (!service.empty()) {
    url += sep + std::string("service=") + percent_encode(service);
    sep = '&';
  }
  for (const auto& s : scopes) {
    url += sep + std::string("scope=") + percent_encode(s);
    sep = '&';
  }
  return url;
}

Result<Token> parse_token_response(std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return make_error("the token server's answer is not a JSON object");
  Token t;
  for (const char* key : {"token", "access_token"}) {
    auto it = j.find(key);
    if (it != j.end() && it->is_string() && !it->get<std::string>().empty()) {
      t.value = it->get<std::string>();
      break;
    }
  }
  if (t.value.empty()) return make_error("the token server's answer holds no token");
  auto exp = j.find("expires_in");
  if (exp != j.end() && exp->is_number_integer()) {
    long long v = exp->get<long long>();
    if (v > 0 && v < 365LL * 24 * 3600) t.expires_in = std::chrono::seconds(v);
  }
  auto issued = j.find("issued_at");
  if (issued != j.end() && issued->is_string())
    t.issued_at = parse_rfc3339(issued->get<std::string>());
  auto refresh = j.find("refresh_token");
  if (refresh != j.end() && refresh->is_string()) t.refresh_token = refresh->get<std::string>();
  return t;
}

std::string refresh_token_form(std::string_view refresh_token, std::string_view service,
                               const std::vector<std::string>& scopes, std::string_view client_id) {
  std::string form = "grant_type=refresh_token&refresh_token=" + percent_encode(refresh_token);
  if (!service.empty()) form += "&service=" + percent_encode(service);
  std::string joined;
  for (const auto& s : scopes) joined += (joined.empty() ? "" : " ") + s;
  if (!joined.empty()) form += "&scope=" + percent_encode(joined);
  form += "&client_id=" + percent_encode(client_id);
  return form;
}

std::chrono::seconds token_lifetime(const Token& t, std::chrono::system_clock::time_point now) {
  if (!t.issued_at) return t.expires_in;
  auto age = std::chrono::duration_cast<std::chrono::seconds>(now - *t.issued_at);
  if (age.count() < 0 || age >= t.expires_in) return t.expires_in;
  return t.expires_in - age;
}

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  using namespace std::chrono;
  size_t pos = 0;
  // Exactly `digits` decimal digits, or -1.
  auto number = [&](size_t digits) {
    if (text.size() - pos < digits) return -1;
    int v = 0;
    for (size_t i = 0; i < digits; ++i) {
      char c = text[pos + i];
      if (c < '0' || c > '9') return -1;
      v = v * 10 + (c - '0');
    }
    pos += digits;
    return v;
  };
  auto take = [&](std::string_view one_of) {
    if (pos >= text.size() || one_of.find(text[pos]) == std::string_view::npos) return false;
    ++pos;
    return true;
  };
  int y = number(4);
  if (y < 0 || !take("-")) return std::nullopt;
  int mo = number(2);
  if (mo < 0 || !take("-")) return std::nullopt;
  int d = number(2);
  if (d < 0 || !take("Tt ")) return std::nullopt;
  int h = number(2);
  if (h < 0 || h > 23 || !take(":")) return std::nullopt;
  int mi = number(2);
  if (mi < 0 || mi > 59 || !take(":")) return std::nullopt;
  int sec = number(2);
  if (sec < 0 || sec > 60) return std::nullopt;  // 60: a leap second
  nanoseconds frac{0};
  if (take(".")) {
    size_t start = pos;
    long long scale = 100'000'000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      frac += nanoseconds((text[pos] - '0') * scale);
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  minutes offset{0};
  if (!take("Zz")) {
    if (pos >= text.size()) return std::nullopt;
    int sign = text[pos] == '-' ? -1 : 1;
    if (!take("+-")) return std::nullopt;
    int oh = number(2);
    if (oh < 0 || oh > 23 || !take(":")) return std::nullopt;
    int om = number(2);
    if (om < 0 || om > 59) return std::nullopt;
    offset = sign * (hours(oh) + minutes(om));
  }
  if (pos != text.size()) return std::nullopt;
  // Years a token can carry; also keeps the arithmetic inside system_clock's range (Go's zero
  // time, year 1, means "not given").
  if (y < 1970 || y > 2200) return std::nullopt;
  year_month_day date{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!date.ok()) return std::nullopt;
  auto at = sys_days(date) + hours(h) + minutes(mi) + seconds(sec) + frac - offset;
  return time_point_cast<system_clock::duration>(at);
}

std::string oauth_error(std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return "";
  auto e = j.find("error");
  if (e == j.end() || !e->is_string()) return "";
  std::string code = e->get<std::string>();
  if (code.empty() || code.size() > 40) return "";
  for (char c : code)
    if (!((c >= 'a' && c <= 'z') || c == '_')) return "";
  return code;
}

std::string base64_encode(std::string_view data) {
  static const char* k_chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
    out += k_chars[v >> 18];
    out += k_chars[(v >> 12) & 63];
    out += k_chars[(v >> 6) & 63];
    out += k_chars[v & 63];
  }
  if (i + 1 == data.size()) {
    uint32_t v = uint8_t(data[i]) << 16;
    out += k_chars[v >> 18];
    out += k_chars[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == data.size()) {
    uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8);
    out += k_chars[v >> 18];
    out += k_chars[(v >> 12) & 63];
    out += k_chars[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = value(c);
    if (v < 0) return make_error("invalid base64");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (bits >= 6) return make_error("invalid base64");
  return out;
}

}  // namespace pith::registry
