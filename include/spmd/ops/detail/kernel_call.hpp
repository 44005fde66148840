// spmd/ops/detail/kernel_call.hpp - calls the local kernels of an op by argument-dependent lookup.
//
// The typed ops never name a local tensor type: each kernel is looked up, unqualified, in the
// namespace of the local tensor (spmd::local for dense, the user's namespace for their own type).
// The deleted declarations stop ordinary lookup from finding the typed ops themselves.
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
SPMD_DETAIL_KERNEL(neg)  SPMD_DETAIL_KERNEL(exp)  SPMD_DETAIL_KERNEL(log)  SPMD_DETAIL_KERNEL(tanh)
SPMD_DETAIL_KERNEL(relu) SPMD_DETAIL_KERNEL(gelu) SPMD_DETAIL_KERNEL(sqrt) SPMD_DETAIL_KERNEL(softmax)
SPMD_DETAIL_KERNEL(add)  SPMD_DETAIL_KERNEL(sub)  SPMD_DETAIL_KERNEL(mul)  SPMD_DETAIL_KERNEL(div)
SPMD_DETAIL_KERNEL(matmul) SPMD_DETAIL_KERNEL(einsum)
SPMD_DETAIL_KERNEL(sum) SPMD_DETAIL_KERNEL(mean) SPMD_DETAIL_KERNEL(transpose) SPMD_DETAIL_KERNEL(reshape)
SPMD_DETAIL_KERNEL(unsqueeze) SPMD_DETAIL_KERNEL(squeeze) SPMD_DETAIL_KERNEL(concat)
#undef SPMD_DETAIL_KERNEL
// clang-format on

}  // namespace spmd::detail::kernel
