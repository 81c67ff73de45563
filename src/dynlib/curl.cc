// libcurl (registry's HTTP client, registry/http.cc; the Docker and podman APIs on a unix
// socket, transport/daemon_api.cc), loaded on first use: by curl_global_init, which both call
// before any other curl function.
#include <curl/curl.h>

#include <cstdarg>
#include <string>

#include "dynlib/loader.h"

namespace {

const pith::dynlib::Library& libcurl() {
  static const pith::dynlib::Library library("libcurl.so.4");
  return library;
}

// A callback of any type, read from the arguments as this and passed on; libcurl reads it back
// as the type its option names (function pointers share one representation on pith's platforms).
using AnyFunction = void (*)();

}  // namespace

extern "C" {

CURLcode curl_global_init(long flags) {
  static auto* const real = PITH_DYNLIB_REAL(libcurl(), curl_global_init);
  return real(flags);
}

CURL* curl_easy_init() {
  static auto* const real = PITH_DYNLIB_REAL(libcurl(), curl_easy_init);
  return real();
}

void curl_easy_cleanup(CURL* curl) {
  static auto* const real = PITH_DYNLIB_REAL(libcurl(), curl_easy_cleanup);
  real(curl);
}

// Variadic functions cannot pass their own arguments on: each is read as libcurl reads it. An
// option's number says its argument's type (curl.h, CURLOPTTYPE_*): below 10000 a long, from
// 10000 a pointer to data (strings, lists, objects, callback data), from 20000 a function
// pointer, from 30000 a curl_off_t, from 40000 a struct curl_blob*.
CURLcode curl_easy_setopt(CURL* curl, CURLoption option, ...) {
  static auto* const real = PITH_DYNLIB_REAL(libcurl(), curl_easy_setopt);
  va_list args;
  va_start(args, option);
  CURLcode result;
  if (option < CURLOPTTYPE_OBJECTPOINT)
    result = real(curl, option, va_arg(args, long));
  else if (option < CURLOPTTYPE_FUNCTIONPOINT)
    result = real(curl, option, va_arg(args, void*));
  else if (option < CURLOPTTYPE_OFF_T)
    result = real(curl, option, va_arg(args, AnyFunction));
  else if (option < CURLOPTTYPE_BLOB)
    result = real(curl, option, va_arg(args, curl_off_t));
  else
    result = real(curl, option, va_arg(args, void*));
  va_end(args);
  return result;
}

// Every CURLINFO_ takes a pointer to where the answer goes; only the pointed-to type varies
// (CURLINFO_TYPEMASK: char*, long, double, a list, a socket, curl_off_t).
CURLcode curl_easy_getinfo(CURL* curl, CURLINFO info, ...) {
  static auto* const real = PITH_DYNLIB_REAL(libcurl(), curl_easy_getinfo);
  va_list args;
  va_start(args, info);
  void* answer = va_arg(args, void*);
  va_end(args);
  return real(curl, info, answer);
}

CURLcode curl_easy_perform(CURL* curl) {
  static auto* const real = PITH_DYNLIB_REAL(libcurl(), curl_easy_perform);
  return real(curl);
}

CURLcode curl_easy_pause(CURL* handle, int bitmask) {
  static auto* const real = PITH_DYNLIB_REAL(libcurl(), curl_easy_pause);
  return real(handle, bitmask);
}

const char* curl_easy_strerror(CURLcode code) {
  static auto* const real = PITH_DYNLIB_REAL(libcurl(), curl_easy_strerror);
  return real(code);
}

CURLM* curl_multi_init() {
  static auto* const real = PITH_DYNLIB_REAL(libcurl(), curl_multi_init);
  return real();
}

CURLMcode curl_multi_cleanup(CURLM* multi) {
  static auto* const real = PITH_DYNLIB_REAL(libcurl(), curl_multi_cleanup);
  return real(multi);
}

CURLMcode curl_multi_add_handle(CURLM* multi, CURL* curl) {
  static auto* const real = PITH_DYNLIB_REAL(libcurl(), curl_multi_add_handle);
  return real(multi, curl);
}

CURLMcode curl_multi_remove_handle(CURLM* multi, CURL* curl) {
  static auto* const real = PITH_DYNLIB_REAL(libcurl(), curl_multi_remove_handle);
  return real(multi, curl);
}

CURLMcode curl_multi_perform(CURLM* multi, int* running) {
  static auto* const real = PITH_DYNLIB_REAL(libcurl(), curl_multi_perform);
  return real(multi, running);
}

CURLMcode curl_multi_poll(CURLM* multi, struct curl_waitfd extra_fds[], unsigned int extra_nfds,
                          int timeout_ms, int* ret) {
  static auto* const real = PITH_DYNLIB_REAL(libcurl(), curl_multi_poll);
  return real(multi, extra_fds, extra_nfds, timeout_ms, ret);
}

CURLMsg* curl_multi_info_read(CURLM* multi, int* in_queue) {
  static auto* const real = PITH_DYNLIB_REAL(libcurl(), curl_multi_info_read);
  return real(multi, in_queue);
}

const char* curl_multi_strerror(CURLMcode code) {
  static auto* const real = PITH_DYNLIB_REAL(libcurl(), curl_multi_strerror);
  return real(code);
}

CURLSH* curl_share_init() {
  static auto* const real = PITH_DYNLIB_REAL(libcurl(), curl_share_init);
  return real();
}

// Read as libcurl reads them (share.c): what to share or stop sharing as an int (a
// curl_lock_data), the lock and unlock callbacks, their user data pointer. Any other option
// would be read wrong, so it ends the process instead.
CURLSHcode curl_share_setopt(CURLSH* share, CURLSHoption option, ...) {
  static auto* const real = PITH_DYNLIB_REAL(libcurl(), curl_share_setopt);
  va_list args;
  va_start(args, option);
  CURLSHcode result;
  switch (option) {
    case CURLSHOPT_SHARE:
    case CURLSHOPT_UNSHARE:
      result = real(share, option, va_arg(args, int));
      break;
    case CURLSHOPT_LOCKFUNC:
      result = real(share, option, va_arg(args, curl_lock_function));
      break;
    case CURLSHOPT_UNLOCKFUNC:
      result = real(share, option, va_arg(args, curl_unlock_function));
      break;
    case CURLSHOPT_USERDATA:
      result = real(share, option, va_arg(args, void*));
      break;
    default:
      va_end(args);
      pith::dynlib::fail("curl_share_setopt: option " + std::to_string(option) +
                         " is not forwarded by dynlib/curl.cc");
  }
  va_end(args);
  return result;
}

CURLSHcode curl_share_cleanup(CURLSH* share) {
  static auto* const real = PITH_DYNLIB_REAL(libcurl(), curl_share_cleanup);
  return real(share);
}

struct curl_slist* curl_slist_append(struct curl_slist* list, const char* data) {
  static auto* const real = PITH_DYNLIB_REAL(libcurl(), curl_slist_append);
  return real(list, data);
}

void curl_slist_free_all(struct curl_slist* list) {
  static auto* const real = PITH_DYNLIB_REAL(libcurl(), curl_slist_free_all);
  real(list);
}

}  // extern "C"
