// spmd/ops/detail/kernel_call.hpp - calls the local kernels of an op by argument-dependent lookup.
//
// The typed ops never name a local tensor type: each kernel is looked up, unqualified, in the
// namespace of the local tensor (spmd::local for dense, the user's namespace for their own type).
// The deleted declarations stop ordinary lookup from finding the typed ops themselves. Each ops
// header declares, next to its op definitions, `SPMD_DETAIL_KERNEL(name)` for each kernel name
// its definitions call: `detail::kernel::name_fn{}(args...)` is then `name(args...)` found by ADL.
#pragma once

#include <utility>

namespace spmd::detail::kernel {

// clang-format off
#define SPMD_DETAIL_KERNEL(name)                                                         \
  void name() = delete;                                                                  \
  struct name##_fn {                                                                     \
    template <class... Args>                                                             \
    constexpr auto operator()(Args&&... args) const -> decltype(name(std::forward<Args>(args)...)) { \
      return name(std::forward<Args>(args)...);                                          \
    }                                                                                    \
  };
// clang-format on

}  // namespace spmd::detail::kernel
