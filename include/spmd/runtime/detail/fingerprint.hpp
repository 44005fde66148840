// spmd/runtime/detail/fingerprint.hpp - FNV-1a fingerprints that the ranks of a process runtime
// exchange instead of their arguments (counts, a shape, the mesh's text): equal on two ranks iff,
// with overwhelming probability, what they fingerprint is. Private to the runtimes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace spmd::runtime::detail {

/// FNV-1a, fed one 64-bit value (byte by byte) or one character at a time.
class fnv1a {
 public:
  constexpr void mix(std::uint64_t v) noexcept {
    for (int i = 0; i < 8; ++i) byte((v >> (8 * i)) & 0xffu);
  }
  constexpr void byte(std::uint64_t b) noexcept {
    h_ ^= b;
    h_ *= 1099511628211ull;
  }
  [[nodiscard]] constexpr std::uint64_t value() const noexcept { return h_; }

 private:
  std::uint64_t h_ = 14695981039346656037ull;
};

/// The fingerprint of a list of counts (its length too).
[[nodiscard]] inline std::uint64_t hash_counts(std::span<std::size_t const> c) noexcept {
  fnv1a h;
  h.mix(c.size());
  for (auto x : c) h.mix(x);
  return h.value();
}

/// The fingerprint of a text.
[[nodiscard]] inline std::uint64_t hash_text(std::string_view s) noexcept {
  fnv1a h;
  for (char c : s) h.byte(static_cast<unsigned char>(c));
  return h.value();
}

}  // namespace spmd::runtime::detail
