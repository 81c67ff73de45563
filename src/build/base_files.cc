// Generated system files and the ones taken from the root (CA bundle, zoneinfo, C.UTF-8).
#include "build/base_files.h"

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

Result<std::string> config_user(const std::string& user) {
  if (user.empty()) return std::string("65532");
  auto colon = user.find(':');
  std::string name = user.substr(0, colon);
  std::string group = colon == std::string::npos ? "" : user.substr(colon + 1);
  auto numeric = [](const std::string& s) {
    return !s.empty() && s.size() <= 10 && s.find_first_not_of("0123456789") == std::string::npos;
  };
  auto id_of = [&](const std::string& s) -> Result<std::string> {
    if (numeric(s)) return s;
    if (s == "root") return std::string("0");
    if (s == "nobody") return std::string("65534");
    if (s == "nonroot") return std::string("65532");
    return make_error("--user: \"" + s + "\" is not a number nor root, nobody or nonroot");
  };
  std::string out = TRY(id_of(name));
  if (colon != std::string::npos) out += ":" + TRY(id_of(group));
  return out;
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
    TRY(plan.add_host(spec.ca_bundle, k_ca_bundle_path, Layer::base).wrap("--ca-bundle"));
  } else if (!spec.no_ca_certs) {
    if (TRY(root.exists(k_ca_bundle_path)))
      TRY(plan.add_tree(root, k_ca_bundle_path, k_ca_bundle_path, Layer::base));
    else
      out.warnings.push_back(std::string("the root has no ") + k_ca_bundle_path +
                             ": the image has no CA certificates (give --ca-bundle FILE)");
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
