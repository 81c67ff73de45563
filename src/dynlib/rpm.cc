// librpm (rpm package headers, catalog/rpm_header.cc; the unit tests write headers too),
// loaded on first use.
#include <rpm/header.h>
#include <rpm/rpmtd.h>

#include "dynlib/loader.h"

namespace {

const pith::dynlib::Library& librpm() {
  static const pith::dynlib::Library library("librpm.so.9");
  return library;
}

}  // namespace

extern "C" {

Header headerImport(void* blob, unsigned int size, headerImportFlags flags) {
  static auto* const real = PITH_DYNLIB_REAL(librpm(), headerImport);
  return real(blob, size, flags);
}

Header headerFree(Header h) {
  static auto* const real = PITH_DYNLIB_REAL(librpm(), headerFree);
  return real(h);
}

int headerIsEntry(Header h, rpmTagVal tag) {
  static auto* const real = PITH_DYNLIB_REAL(librpm(), headerIsEntry);
  return real(h, tag);
}

int headerGet(Header h, rpmTagVal tag, rpmtd td, headerGetFlags flags) {
  static auto* const real = PITH_DYNLIB_REAL(librpm(), headerGet);
  return real(h, tag, td, flags);
}

uint64_t headerGetNumber(Header h, rpmTagVal tag) {
  static auto* const real = PITH_DYNLIB_REAL(librpm(), headerGetNumber);
  return real(h, tag);
}

const char* headerGetString(Header h, rpmTagVal tag) {
  static auto* const real = PITH_DYNLIB_REAL(librpm(), headerGetString);
  return real(h, tag);
}

rpmtd rpmtdNew() {
  static auto* const real = PITH_DYNLIB_REAL(librpm(), rpmtdNew);
  return real();
}

rpmtd rpmtdFree(rpmtd td) {
  static auto* const real = PITH_DYNLIB_REAL(librpm(), rpmtdFree);
  return real(td);
}

const char* rpmtdNextString(rpmtd td) {
  static auto* const real = PITH_DYNLIB_REAL(librpm(), rpmtdNextString);
  return real(td);
}

uint32_t* rpmtdNextUint32(rpmtd td) {
  static auto* const real = PITH_DYNLIB_REAL(librpm(), rpmtdNextUint32);
  return real(td);
}

// Used by the unit tests only (tests/unit/catalog/rpmdb_writers.h), to write headers.

Header headerNew() {
  static auto* const real = PITH_DYNLIB_REAL(librpm(), headerNew);
  return real();
}

int headerPutString(Header h, rpmTagVal tag, const char* value) {
  static auto* const real = PITH_DYNLIB_REAL(librpm(), headerPutString);
  return real(h, tag, value);
}

int headerPutStringArray(Header h, rpmTagVal tag, const char** values, rpm_count_t size) {
  static auto* const real = PITH_DYNLIB_REAL(librpm(), headerPutStringArray);
  return real(h, tag, values, size);
}

int headerPutUint32(Header h, rpmTagVal tag, const uint32_t* values, rpm_count_t size) {
  static auto* const real = PITH_DYNLIB_REAL(librpm(), headerPutUint32);
  return real(h, tag, values, size);
}

Header headerReload(Header h, rpmTagVal tag) {
  static auto* const real = PITH_DYNLIB_REAL(librpm(), headerReload);
  return real(h, tag);
}

void* headerExport(Header h, unsigned int* size) {
  static auto* const real = PITH_DYNLIB_REAL(librpm(), headerExport);
  return real(h, size);
}

}  // extern "C"
