// The run-time rules (PL1xx): will the image's program start and do its job? The command is
// resolved as runc resolves it (ENTRYPOINT + CMD, a bare name through the config's PATH, a
// script through its "#!" interpreters), then each ELF program is loaded by the emulated
// loader on the image's own tree, as the image's user.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lint/image.h"
#include "lint/rules.h"

namespace pith::lint {

struct RuntimeOptions {
  // Check this program (an absolute path in the image) instead of ENTRYPOINT + CMD.
  std::optional<std::string> entrypoint;
};

std::vector<Finding> check_runtime(const ImageView& image, const RuntimeOptions& options = {});

}  // namespace pith::lint
