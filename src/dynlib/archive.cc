// libarchive (layer tars, tar/layer_reader.cc; RPM payloads and Java archives, catalog),
// loaded on first use.
#include <archive.h>
#include <archive_entry.h>

#include <cstdarg>
#include <cstdio>
#include <string>

#include "dynlib/loader.h"

namespace {

const pith::dynlib::Library& libarchive() {
  static const pith::dynlib::Library library("libarchive.so.13");
  return library;
}

}  // namespace

extern "C" {

struct archive* archive_read_new() {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_read_new);
  return real();
}

int archive_read_free(struct archive* a) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_read_free);
  return real(a);
}

int archive_read_support_filter_none(struct archive* a) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_read_support_filter_none);
  return real(a);
}

int archive_read_support_filter_bzip2(struct archive* a) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_read_support_filter_bzip2);
  return real(a);
}

int archive_read_support_filter_lzma(struct archive* a) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_read_support_filter_lzma);
  return real(a);
}

int archive_read_support_filter_xz(struct archive* a) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_read_support_filter_xz);
  return real(a);
}

int archive_read_support_format_empty(struct archive* a) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_read_support_format_empty);
  return real(a);
}

int archive_read_support_format_tar(struct archive* a) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_read_support_format_tar);
  return real(a);
}

int archive_read_support_format_zip_seekable(struct archive* a) {
  static auto* const real =
      PITH_DYNLIB_REAL(libarchive(), archive_read_support_format_zip_seekable);
  return real(a);
}

int archive_read_open(struct archive* a, void* client_data, archive_open_callback* open,
                      archive_read_callback* read, archive_close_callback* close) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_read_open);
  return real(a, client_data, open, read, close);
}

int archive_read_open_memory(struct archive* a, const void* buffer, size_t size) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_read_open_memory);
  return real(a, buffer, size);
}

int archive_read_next_header(struct archive* a, struct archive_entry** entry) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_read_next_header);
  return real(a, entry);
}

la_ssize_t archive_read_data(struct archive* a, void* buffer, size_t size) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_read_data);
  return real(a, buffer, size);
}

int archive_read_data_block(struct archive* a, const void** buffer, size_t* size,
                            la_int64_t* offset) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_read_data_block);
  return real(a, buffer, size, offset);
}

const char* archive_error_string(struct archive* a) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_error_string);
  return real(a);
}

// A variadic function cannot pass its own arguments on: the message is formatted here (a
// superset of libarchive's own printf) and passed on whole, as "%s". A null format clears the
// error, as libarchive does.
void archive_set_error(struct archive* a, int error, const char* format, ...) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_set_error);
  if (!format) {
    real(a, error, nullptr);
    return;
  }
  va_list args;
  va_start(args, format);
  va_list measure;
  va_copy(measure, args);
  int size = std::vsnprintf(nullptr, 0, format, measure);
  va_end(measure);
  std::string message(size > 0 ? static_cast<size_t>(size) : 0, '\0');
  if (size > 0) std::vsnprintf(message.data(), message.size() + 1, format, args);
  va_end(args);
  real(a, error, "%s", message.c_str());
}

mode_t archive_entry_filetype(struct archive_entry* entry) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_entry_filetype);
  return real(entry);
}

mode_t archive_entry_perm(struct archive_entry* entry) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_entry_perm);
  return real(entry);
}

const char* archive_entry_pathname(struct archive_entry* entry) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_entry_pathname);
  return real(entry);
}

const char* archive_entry_pathname_utf8(struct archive_entry* entry) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_entry_pathname_utf8);
  return real(entry);
}

const char* archive_entry_hardlink(struct archive_entry* entry) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_entry_hardlink);
  return real(entry);
}

const char* archive_entry_hardlink_utf8(struct archive_entry* entry) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_entry_hardlink_utf8);
  return real(entry);
}

const char* archive_entry_symlink(struct archive_entry* entry) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_entry_symlink);
  return real(entry);
}

const char* archive_entry_symlink_utf8(struct archive_entry* entry) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_entry_symlink_utf8);
  return real(entry);
}

la_int64_t archive_entry_size(struct archive_entry* entry) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_entry_size);
  return real(entry);
}

int archive_entry_size_is_set(struct archive_entry* entry) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_entry_size_is_set);
  return real(entry);
}

time_t archive_entry_mtime(struct archive_entry* entry) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_entry_mtime);
  return real(entry);
}

la_int64_t archive_entry_uid(struct archive_entry* entry) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_entry_uid);
  return real(entry);
}

la_int64_t archive_entry_gid(struct archive_entry* entry) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_entry_gid);
  return real(entry);
}

const char* archive_entry_uname(struct archive_entry* entry) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_entry_uname);
  return real(entry);
}

const char* archive_entry_gname(struct archive_entry* entry) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_entry_gname);
  return real(entry);
}

dev_t archive_entry_rdevmajor(struct archive_entry* entry) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_entry_rdevmajor);
  return real(entry);
}

dev_t archive_entry_rdevminor(struct archive_entry* entry) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_entry_rdevminor);
  return real(entry);
}

int archive_entry_xattr_reset(struct archive_entry* entry) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_entry_xattr_reset);
  return real(entry);
}

int archive_entry_xattr_next(struct archive_entry* entry, const char** name, const void** value,
                             size_t* size) {
  static auto* const real = PITH_DYNLIB_REAL(libarchive(), archive_entry_xattr_next);
  return real(entry, name, value, size);
}

}  // extern "C"
