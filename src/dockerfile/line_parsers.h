// The per-instruction readers of BuildKit's parser (line_parsers.go, split_command.go): one
// logical line -> command, flags and argument words. Internal to the parser.
#pragma once

#include <string_view>

#include "dockerfile/parser.h"
#include "util/result.h"

namespace pith::dockerfile {

// The node for one logical line (no line numbers yet). Errors: a JSON array holding something
// else than strings, `ENV name` without a value, a word without '=' in `ENV a=b c`.
Result<Node> node_from_line(std::string_view line, char escape);

// Whether BuildKit looks for heredocs in this node (RUN, COPY, ADD in shell form, also under
// ONBUILD).
bool can_contain_heredoc(const Node& node);

}  // namespace pith::dockerfile
