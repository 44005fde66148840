// spmd/runtime/detail/erased_fn.hpp - a runtime's run() hands the user's function to its
// non-template body as a pointer and a trampoline, so that the body is compiled once, not once
// per function type. Private to the runtimes.
#pragma once

#include <functional>
#include <memory>
#include <type_traits>

namespace spmd::runtime::detail {

/// Calls the function object behind `f` (a `F*`, see erased()) with `r`.
template <class F, class Rank>
void call_erased(void* f, Rank& r) {
  std::invoke(*static_cast<F*>(f), r);
}

/// `fn` as the untyped pointer that call_erased<F> takes.
template <class F>
[[nodiscard]] void* erased(F& fn) noexcept {
  return const_cast<void*>(static_cast<void const*>(std::addressof(fn)));
}

}  // namespace spmd::runtime::detail
