// Where TLS libraries look for CA certificates when SSL_CERT_FILE and SSL_CERT_DIR are unset:
// Go's lists for Linux (crypto/x509/root_linux.go, in its order) and OpenSSL's default on
// Debian (/usr/lib/ssl). One list for lint's CA rule (PL111) and for the bundle `pith build`
// takes from its root.
#pragma once

#include <string_view>

namespace pith::lint {

inline constexpr std::string_view k_ca_files[] = {
    "/etc/ssl/certs/ca-certificates.crt",                 // Debian, Ubuntu, Alpine 3.18
    "/etc/pki/tls/certs/ca-bundle.crt",                   // Fedora, RHEL 6
    "/etc/ssl/ca-bundle.pem",                             // openSUSE
    "/etc/pki/tls/cacert.pem",                            // OpenELEC
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // CentOS, RHEL 7
    "/etc/ssl/cert.pem",                                  // Alpine (only this one in 3.10)
    "/usr/lib/ssl/cert.pem",                              // OpenSSL's OPENSSLDIR on Debian
};
inline constexpr std::string_view k_ca_dirs[] = {"/etc/ssl/certs", "/etc/pki/tls/certs",
                                                 "/usr/lib/ssl/certs"};

}  // namespace pith::lint
