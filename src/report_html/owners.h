// Which package owns each file of the squashed tree, from the package databases the pass read:
// the files each package record lists (apk, rpm, deb conffiles) and dpkg's per-package lists
// that lint's capture kept (var/lib/dpkg/info/*.list, *.md5sums, status.d/*.md5sums).
#pragma once

#include <string>
#include <unordered_map>

#include "lint/image.h"
#include "report/model.h"

namespace pith::report_html {

// Canonical path in the tree ("usr/bin/bash": no leading "/", the directories' symlinks
// followed as lint's view follows them, so dpkg's "/bin/bash" on a merged-/usr image lands on
// usr/bin/bash) -> index into report.packages. A path two packages list goes to the first.
using Owners = std::unordered_map<std::string, size_t>;

Owners package_owners(const report::InspectReport& report, const lint::ImageView& image);

}  // namespace pith::report_html
