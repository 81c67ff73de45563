// Shared libraries loaded on first use: pith is not linked with libpq, libcurl, librpm,
// libsqlite3 and libarchive (nor the ~45 libraries they need), so commands that use none of
// them start without loading them. dynlib/<library>.cc defines each function pith calls, with
// the signature of the library's own header, forwarding to the real one found by dlsym.
#pragma once

#include <string>

namespace pith::dynlib {

// A shared library, opened by its soname when constructed. Held in a function-local static
// (`static const Library library("libpq.so.5")`), it is opened once, by whichever thread first
// needs it. It is never closed: objects destroyed at exit may still call into it.
class Library {
 public:
  // Ends the process (fail()) when the library cannot be loaded.
  explicit Library(const char* soname);
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

  // The address of `name`; ends the process (fail()) when the library does not define it.
  void* symbol(const char* name) const;

  // `name` as a pointer to F, the function's type as the library's header declares it.
  template <typename F>
  F* function(const char* name) const {
    return reinterpret_cast<F*>(symbol(name));
  }

 private:
  const char* m_soname;
  void* m_handle;
};

// Prints "pith: error: <message>" on stderr and ends the process at once with exit code 2
// (pith's "error", cli/command.h). The functions dynlib defines return the library's own types,
// so there is no error to return through: a library that cannot be loaded ends the process,
// as it did when pith could not start without it. _Exit, not exit: the first use may be on a
// worker thread, and static destructors must not run under running threads; temporary files
// left behind are removed by the next run (remove_stale_temporaries, util/file.h).
[[noreturn]] void fail(const std::string& message);

}  // namespace pith::dynlib

// The real `name` in `library`, for the definition of `name` itself: the type comes from the
// declaration in the library's header and the string from the identifier, so neither can be
// mistyped. Each definition keeps it in a function-local static: one lookup per function.
#define PITH_DYNLIB_REAL(library, name) (library).function<decltype(name)>(#name)
