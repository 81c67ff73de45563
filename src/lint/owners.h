// Which package owns each file of the squashed tree: the files each package lists (apk's and
// rpm's databases, dpkg's per-package lists; report::merge_packages fills them), placed in the
// tree as the image's symlinks place them: a listed directory's symlinks are followed (dpkg
// lists /bin/bash; on a merged-/usr image the file is /usr/bin/bash), a listed symlink is owned
// itself, not what it points to (openssl owns /usr/lib/ssl/cert.pem, a link, not the CA bundle
// it names). PL302 (files no package owns) and the HTML report's treemap colours read it.
#pragma once

#include <string>
#include <unordered_map>

#include "lint/image.h"
#include "report/model.h"

namespace pith::lint {

// Canonical path in the tree ("usr/bin/bash": no leading "/", the directories' symlinks
// followed as lint's view follows them, so dpkg's "/bin/bash" on a merged-/usr image lands on
// usr/bin/bash) -> index into report.packages. A path two packages list goes to the first.
using Owners = std::unordered_map<std::string, size_t>;

Owners package_owners(const report::InspectReport& report, const ImageView& image);

}  // namespace pith::lint
