// dlopen and dlsym, with the one-line error of a library or symbol that cannot be loaded.
#include "dynlib/loader.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace pith::dynlib {

namespace {

std::string last_dl_error() {
  const char* error = ::dlerror();
  return error ? error : "unknown error";
}

}  // namespace

Library::Library(const char* soname) : m_soname(soname) {
  // RTLD_NOW: a missing symbol of its own dependencies fails here, not in the middle of a call.
  // RTLD_LOCAL: its symbols are reached through this handle only.
  m_handle = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!m_handle) fail(std::string(soname) + " cannot be loaded: " + last_dl_error());
}

void* Library::symbol(const char* name) const {
  ::dlerror();  // clears an earlier error, so that the message is this lookup's
  void* address = ::dlsym(m_handle, name);
  if (!address) fail(std::string(m_soname) + " cannot be loaded: " + last_dl_error());
  return address;
}

void fail(const std::string& message) {
  bool colour = ::isatty(STDERR_FILENO) != 0;
  std::fprintf(stderr, "pith: %serror:%s %s\n", colour ? "\033[1;31m" : "", colour ? "\033[0m" : "",
               message.c_str());
  std::_Exit(2);
}

}  // namespace pith::dynlib
