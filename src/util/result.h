// Result<T>: the one error contract of pith. Functions that can fail return Result<T>;
// callers propagate with TRY. Errors are one line, "<context>: <cause>", and gain context
// as they travel up (Error::wrap). Exceptions are reserved for bugs and are caught in main.
#pragma once

#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace pith {

struct Error {
  std::string message;

  // Prefixes context: Error{"no such file"}.wrap("reading index.json") reads
  // "reading index.json: no such file".
  Error wrap(const std::string& context) const& { return Error{context + ": " + message}; }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}

  explicit operator bool() const { return m_v.index() == 0; }
  bool ok() const { return m_v.index() == 0; }

  T& value() & { return std::get<0>(m_v); }
  const T& value() const& { return std::get<0>(m_v); }
  T&& value() && { return std::get<0>(std::move(m_v)); }
  T* operator->() { return &std::get<0>(m_v); }
  const T* operator->() const { return &std::get<0>(m_v); }
  T& operator*() & { return std::get<0>(m_v); }
  const T& operator*() const& { return std::get<0>(m_v); }

  const Error& error() const& { return std::get<1>(m_v); }
  Error&& error() && { return std::get<1>(std::move(m_v)); }

  // Adds context to the error, if any.
  Result wrap(const std::string& context) && {
    if (ok()) return std::move(*this);
    return Error{context + ": " + error().message};
  }

 private:
  std::variant<T, Error> m_v;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : m_error(std::move(error)), m_failed(true) {}

  explicit operator bool() const { return !m_failed; }
  bool ok() const { return !m_failed; }
  void value() const {}
  const Error& error() const& { return m_error; }
  Error&& error() && { return std::move(m_error); }
  Result wrap(const std::string& context) && {
    if (ok()) return {};
    return Error{context + ": " + m_error.message};
  }

 private:
  Error m_error;
  bool m_failed = false;
};

inline Error make_error(std::string message) {
  return Error{std::move(message)};
}

}  // namespace pith

// TRY(expr): evaluates a Result; on error returns it from the enclosing function, otherwise
// yields the value. Uses a GNU statement expression (g++ and clang both have it).
#define PITH_CONCAT2(a, b) a##b
#define PITH_CONCAT(a, b) PITH_CONCAT2(a, b)
#define TRY(...) PITH_TRY_IMPL(PITH_CONCAT(try_r_, __COUNTER__), __VA_ARGS__)
#define PITH_TRY_IMPL(r, ...)            \
  ({                                     \
    auto&& r = (__VA_ARGS__);            \
    if (!r) return std::move(r).error(); \
    std::move(r).value();                \
  })
// TRY_CTX(context, expr): as TRY, with context prefixed to the error.
#define TRY_CTX(ctx, ...) PITH_TRY_CTX_IMPL(PITH_CONCAT(try_r_, __COUNTER__), ctx, __VA_ARGS__)
#define PITH_TRY_CTX_IMPL(r, ctx, ...)             \
  ({                                               \
    auto&& r = (__VA_ARGS__);                      \
    if (!r) return std::move(r).error().wrap(ctx); \
    std::move(r).value();                          \
  })
