#include "report_html/page.h"

#include "report_html/escape.h"
#include "report_html/page_template.h"

namespace pith::report_html {

namespace {

// The template with each "{{NAME}}" replaced by its value. Markers are looked for in the
// template only, never in the values put in (a file may well be named "{{DATA}}").
std::string filled(std::string_view tmpl,
                   const std::vector<std::pair<std::string_view, std::string>>& values) {
  std::string out;
  size_t at = 0;
  while (at < tmpl.size()) {
    size_t open = tmpl.find("{{", at);
    if (open == std::string_view::npos) break;
    size_t close = tmpl.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    std::string_view name = tmpl.substr(open + 2, close - open - 2);
    const std::string* value = nullptr;
    for (const auto& [key, text] : values)
      if (key == name) value = &text;
    out.append(tmpl, at, open - at);
    if (value) {
      out += *value;
    } else {
      out.append(tmpl, open, close + 2 - open);  // not a marker of ours: kept as written
    }
    at = close + 2;
  }
  out.append(tmpl, at);
  return out;
}

}  // namespace

std::string_view page_template() {
  return {k_page_template, k_page_template_size};
}

std::string render_page(const std::vector<nlohmann::json>& images) {
  std::string title = "pith report:";
  for (const auto& image : images) title += " " + image.value("reference", std::string());
  nlohmann::json data = {{"generator", "pith 0.1.0"}, {"images", images}};
  return filled(page_template(), {{"TITLE", html_escape(title)}, {"DATA", script_json(data)}});
}

}  // namespace pith::report_html
