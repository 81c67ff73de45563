// What glibc loads with dlopen behind a program's back: NSS modules named by nsswitch.conf
// (those libc does not contain) and libgcc_s for thread cancellation and unwinding.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "elf/dynamic.h"

namespace pith::elf {

// Service names of an nsswitch.conf in order of first appearance, action items ("[...]")
// left out: "passwd: files systemd" gives {"files", "systemd"}.
std::vector<std::string> nss_services(std::string_view nsswitch_conf);

// Whether this libc.so.6 contains the "files" and "dns" NSS services (glibc 2.34 and later,
// which define the GLIBC_2.34 symbol version).
bool libc_has_builtin_nss(const DynamicInfo& libc);

// The module file names glibc would dlopen for an nsswitch.conf, given what libc contains.
std::vector<std::string> nss_modules(std::string_view nsswitch_conf, bool builtin_files_dns);

}  // namespace pith::elf
