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
SPMD_DETAIL_KERNEL(unsqueeze) SPMD_DETAIL_KERNEL(squeeze) SPMD_DETAIL_KERNEL(concat) SPMD_DETAIL_KERNEL(narrow)
SPMD_DETAIL_KERNEL(gelu_backward) SPMD_DETAIL_KERNEL(relu_backward) SPMD_DETAIL_KERNEL(softmax_backward)
SPMD_DETAIL_KERNEL(abs) SPMD_DETAIL_KERNEL(rsqrt) SPMD_DETAIL_KERNEL(pow) SPMD_DETAIL_KERNEL(clamp)
SPMD_DETAIL_KERNEL(maximum) SPMD_DETAIL_KERNEL(minimum) SPMD_DETAIL_KERNEL(where) SPMD_DETAIL_KERNEL(log_softmax)
SPMD_DETAIL_KERNEL(abs_backward) SPMD_DETAIL_KERNEL(clamp_backward) SPMD_DETAIL_KERNEL(log_softmax_backward)
SPMD_DETAIL_KERNEL(extremum_backward) SPMD_DETAIL_KERNEL(dropout)
#undef SPMD_DETAIL_KERNEL
// clang-format on

}  // namespace spmd::detail::kernel
