// Internal pieces of the instruction layer (instructions.cc): BuildKit's builder flags
// (BFlags), its handleJSONArgs, and HEALTHCHECK, each used by more than one file.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "dockerfile/instructions.h"
#include "util/result.h"

namespace pith::dockerfile {

enum class FlagType { boolean, string, strings };
struct FlagSpec {
  std::string_view name;
  FlagType type;
};

// BFlags.Parse: every flag must be one the instruction takes; a bare "--" ends the flags.
// Boolean flags come out as "true" or "false".
Result<std::vector<Flag>> parse_flags(const std::vector<std::string>& given,
                                      std::initializer_list<FlagSpec> specs);

// handleJSONArgs: the exec form's items as they are; the shell form's words joined into one
// text.
std::vector<std::string> command_line(const Node& node);

// "<CMD> requires at least one argument".
Error at_least_one(std::string_view cmd);

// HEALTHCHECK NONE, or its options and CMD (instructions.h's Healthcheck).
Result<void> fill_healthcheck(const Node& node, Instruction& ins);

}  // namespace pith::dockerfile
