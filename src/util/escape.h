// Text that came from an image (paths, link targets, annotations, references) made safe for a
// terminal and for line-oriented output, the way GNU tar lists names (its "escape" quoting
// style): a name holding a newline cannot forge a second line, an escape sequence cannot reach
// the terminal. JSON output needs none of this (its encoder escapes).
#pragma once

#include <string>
#include <string_view>

namespace pith {

// Backslash escapes for C0 controls, DEL and backslash (\a \b \t \n \v \f \r \\, others as
// three octal digits: ESC is \033); bytes that are not valid UTF-8 and C1 controls (U+0080 to
// U+009F, which some terminals obey) as octal escapes of their bytes. Valid UTF-8 text, spaces
// included, is unchanged.
std::string escape_text(std::string_view s);

}  // namespace pith
