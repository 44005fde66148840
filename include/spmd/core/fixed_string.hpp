// spmd/core/fixed_string.hpp - a string usable as a template argument (axis names, einsum specs).
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace spmd {

/// A compile-time string that can be a non-type template argument: `mesh<"dp", "tp">`.
/// N counts the terminating NUL, as for the string literal it is built from.
template <std::size_t N>
struct fixed_string {
  char data[N]{};

  consteval fixed_string(char const (&s)[N]) noexcept { std::copy_n(s, N, data); }

  /// Number of characters, without the terminating NUL.
  static constexpr std::size_t size = N - 1;

  [[nodiscard]] constexpr std::string_view view() const noexcept { return {data, N - 1}; }
  [[nodiscard]] constexpr char const* c_str() const noexcept { return data; }

  template <std::size_t M>
  [[nodiscard]] constexpr bool operator==(fixed_string<M> const& other) const noexcept {
    return view() == other.view();
  }
};

}  // namespace spmd
