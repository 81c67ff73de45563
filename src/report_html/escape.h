// Image text made safe inside an HTML page. Everything an image says is hostile (file names,
// history commands, package names): in markup it is entity-escaped, and the page's data travels
// as JSON in a <script type="application/json"> block whose text cannot end that block.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace pith::report_html {

// For element text and quoted attribute values: & < > " ' become entities; bytes that are not
// valid UTF-8 become U+FFFD (the page is UTF-8).
std::string html_escape(std::string_view text);

// `j` as JSON text that can sit between <script type="application/json"> and </script>: "<",
// ">" and "&" written as \u003c, \u003e, \u0026 (so no "</script" or "<!--" can appear), U+2028
// and U+2029 as \u2028 and \u2029, bytes that are not UTF-8 as U+FFFD. JSON.parse of the block's
// text gives back the same values.
std::string script_json(const nlohmann::json& j);

}  // namespace pith::report_html
