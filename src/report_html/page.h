// The report page: one self-contained HTML file (styles and script inline, nothing fetched) made
// of the template src/report_html/page.html, embedded at build time, and the images' data.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pith::report_html {

// `images`: one image_data() object each, in the order given on the command line.
std::string render_page(const std::vector<nlohmann::json>& images);

// The template's text (for tests: what it must and must not contain).
std::string_view page_template();

}  // namespace pith::report_html
