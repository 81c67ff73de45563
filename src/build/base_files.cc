// Generated system files and the ones taken from the root (CA bundle, zoneinfo, C.UTF-8).
#include "build/base_files.h"

#include <sys/stat.h>

#include <filesystem>

#include "lint/ca_files.h"
#include "util/file.h"
#include "util/lines.h"

namespace pith::build {

namespace {

// As in distroless: root, nobody and the unprivileged "nonroot" user programs run as.
constexpr const char* k_passwd =
    "root:x:0:0:root:/root:/sbin/nologin\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
    "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n";
constexpr const char* k_group =
    "root:x:0:\n"
    "tty:x:5:\n"
    "staff:x:50:\n"
    "nobody:x:65534:\n"
    "nonroot:x:65532:\n";
// glibc >= 2.34 resolves "files" and "dns" without loading a module.
constexpr const char* k_nsswitch =
    "passwd: files\n"
    "group: files\n"
    "shadow: files\n"
    "hosts: files dns\n"
    "networks: files\n"
    "protocols: files\n"
    "services: files\n"
    "ethers: files\n"
    "rpc: files\n";
constexpr uint64_t k_nonroot = 65532;

// Debian's libc-bin ships C.UTF-8 as /usr/lib/locale/C.utf8.
constexpr const char* k_locale_dir = "/usr/lib/locale/C.utf8";

// Bundles hold a few hundred kilobytes (Debian's: 220 kB).
constexpr uint64_t k_max_ca_bundle = 16 << 20;

// The root's CA bundle: the first regular file of the places TLS libraries look ("" = none).
Result<std::string> root_ca_bundle(const RootDir& root) {
  for (std::string_view path : lint::k_ca_files) {
    if (!TRY(root.exists(path))) continue;
    auto resolved = TRY(root.resolve(path));
    if (S_ISREG(TRY(root.lstat(resolved.path)).st_mode)) return std::string(path);
  }
  return std::string();
}

}  // namespace

std::string os_release(const std::string& root_os_release) {
  std::string out;
  bool pretty = false;
  for (std::string_view line : split_lines(root_os_release)) {
    if (line.starts_with("PRETTY_NAME=")) {
      line = "PRETTY_NAME=\"Distroless\"";
      pretty = true;
    }
    (out += line) += '\n';
  }
  if (!pretty) out = "PRETTY_NAME=\"Distroless\"\n" + out;
  if (root_os_release.empty()) out += "NAME=\"Distroless\"\nID=distroless\n";
  return out;
}

namespace {

// The numeric id field `index` (2: uid or gid, 3: primary gid) of the line for `name` in a
// passwd or group file; "" when no line names it.
std::string id_field(std::string_view file, std::string_view name, size_t index) {
  for (std::string_view line : split_lines(file)) {
    std::vector<std::string_view> fields;
    for (size_t pos = 0;;) {
      size_t colon = line.find(':', pos);
      fields.push_back(line.substr(pos, colon - pos));
      if (colon == std::string_view::npos) break;
      pos = colon + 1;
    }
    if (fields.size() > index && fields[0] == name && !fields[index].empty() &&
        fields[index].find_first_not_of("0123456789") == std::string_view::npos)
      return std::string(fields[index]);
  }
  return "";
}

bool numeric(const std::string& s) {
  return !s.empty() && s.size() <= 10 && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

Result<std::string> config_user(const std::string& user, const Accounts& image,
                                const Accounts& root) {
  if (user.empty()) return std::string("65532");
  auto colon = user.find(':');
  std::string name = user.substr(0, colon);
  std::string group = colon == std::string::npos ? "" : user.substr(colon + 1);
  std::string out;
  if (numeric(name)) {
    out = name;
  } else if (auto uid = id_field(image.passwd, name, 2); !uid.empty()) {
    out = uid;  // runc finds the user's group in the image's passwd
  } else if (uid = id_field(root.passwd, name, 2); !uid.empty()) {
    out = uid;
    if (colon == std::string::npos && !id_field(root.passwd, name, 3).empty())
      out += ":" + id_field(root.passwd, name, 3);
  } else {
    return make_error("--user " + user + ": \"" + name +
                      "\" is neither a number nor a user of the image's or the root's /etc/passwd");
  }
  if (colon == std::string::npos) return out;
  std::string gid = numeric(group) ? group : id_field(image.group, group, 2);
  if (gid.empty()) gid = id_field(root.group, group, 2);
  if (gid.empty())
    return make_error("--user " + user + ": \"" + group +
                      "\" is neither a number nor a group of the image's or the root's /etc/group");
  return out + ":" + gid;
}

bool has_pem_certificate(std::string_view text) {
  constexpr std::string_view k_begin = "-----BEGIN CERTIFICATE-----";
  constexpr std::string_view k_end = "-----END CERTIFICATE-----";
  size_t begin = text.find(k_begin);
  return begin != std::string_view::npos &&
         text.find(k_end, begin + k_begin.size()) != std::string_view::npos;
}

Result<BaseFiles> add_base_files(Plan& plan, const RootDir& root, const BuildSpec& spec) {
  BaseFiles out;
  plan.add_generated("/etc/passwd", k_passwd, 0644, Layer::base);
  plan.add_generated("/etc/group", k_group, 0644, Layer::base);
  plan.add_generated("/etc/nsswitch.conf", k_nsswitch, 0644, Layer::base);
  std::string release;
  for (const char* p : {"/etc/os-release", "/usr/lib/os-release"}) {
    if (TRY(root.exists(p))) {
      release = TRY(root.read_file(p, 64 << 10));
      break;
    }
  }
  plan.add_generated("/etc/os-release", os_release(release), 0644, Layer::base);
  // Scanners tell Debian by this file, not by os-release (trivy: OS "none" and no
  // vulnerability matching without it); distroless images have it too.
  if (TRY(root.exists("/etc/debian_version")))
    TRY(plan.add_tree(root, "/etc/debian_version", "/etc/debian_version", Layer::base));
  plan.add_directory("/tmp", 01777, Layer::base);
  plan.add_directory("/root", 0700, Layer::base);
  plan.add_directory("/home", 0755, Layer::base);
  plan.add_directory("/home/nonroot", 0700, Layer::base, k_nonroot, k_nonroot);

  // CA certificates: without them every TLS client fails ("x509: failed to load system roots").
  if (!spec.ca_bundle.empty()) {
    auto bundle = TRY(read_file(spec.ca_bundle, k_max_ca_bundle).wrap("--ca-bundle"));
    if (!has_pem_certificate(bundle))
      return make_error("--ca-bundle " + spec.ca_bundle +
                        ": no PEM certificate in it (-----BEGIN CERTIFICATE-----)");
    TRY(plan.add_host(spec.ca_bundle, k_ca_bundle_path, Layer::base).wrap("--ca-bundle"));
  } else if (!spec.no_ca_certs) {
    std::string found = TRY(root_ca_bundle(root));
    if (found == k_ca_bundle_path) {
      TRY(plan.add_tree(root, k_ca_bundle_path, k_ca_bundle_path, Layer::base));
    } else if (!found.empty()) {
      // Where the image's programs expect it (SSL_CERT_FILE), and where the root's own
      // programs look for it by default (Alpine's /etc/ssl/cert.pem), as a link.
      TRY(plan.add_tree(root, found, k_ca_bundle_path, Layer::base));
      std::string dir = std::filesystem::path(found).parent_path().string();
      plan.add_symlink(found,
                       std::filesystem::path(k_ca_bundle_path).lexically_relative(dir).string(),
                       Layer::base);
    } else {
      out.warnings.push_back("the root has no CA bundle (" + std::string(k_ca_bundle_path) +
                             ", /etc/ssl/cert.pem, ...): the image has no CA certificates "
                             "(give --ca-bundle FILE)");
    }
  }
  if (plan.contains(k_ca_bundle_path))
    out.env.push_back(std::string("SSL_CERT_FILE=") + k_ca_bundle_path);

  if (spec.tzdata) {
    if (!TRY(root.exists("/usr/share/zoneinfo")))
      return make_error("--tzdata: the root has no /usr/share/zoneinfo (install tzdata there)");
    TRY(plan.add_tree(root, "/usr/share/zoneinfo", "/usr/share/zoneinfo", Layer::base));
  }
  if (!spec.locale.empty()) {
    if (!TRY(root.exists(k_locale_dir)))
      return make_error(std::string("--locale: the root has no ") + k_locale_dir);
    TRY(plan.add_tree(root, k_locale_dir, k_locale_dir, Layer::base));
    out.env.push_back("LANG=C.UTF-8");
  }
  return out;
}

}  // namespace pith::build
