// What each layer needs of a local tensor type (spmd/local/concept.hpp, buffer.hpp,
// differentiable.hpp), checked on the types the tests use: local::dense models every concept,
// user::colmajor (column-major) all but row_major_tensor at rank 2, user::vec (read-only data, no
// shape constructor) only local_tensor. The refusals are tests/compile_fail/comm_local_*.cpp.
#include <spmd/dense.hpp>
#include <spmd/local/buffer.hpp>
#include <spmd/local/differentiable.hpp>

#include "../common/colmajor.hpp"
#include "../unit/user_tensor.hpp"

namespace {

using spmd::buffer_tensor;
using spmd::differentiable_tensor;
using spmd::local_tensor;
using spmd::row_major_tensor;

template <class L>
inline constexpr bool every_concept =
    local_tensor<L>&& buffer_tensor<L>&& row_major_tensor<L>&& differentiable_tensor<L>;

static_assert(every_concept<spmd::local::dense<float, 0>> && every_concept<spmd::local::dense<float, 1>>);
static_assert(every_concept<spmd::local::dense<double, 2>> && every_concept<spmd::local::dense<double, 3>>);

// Column-major: moved by all_reduce and differentiated, not cut into shards (but a vector has
// only one element order).
static_assert(buffer_tensor<user::colmajor<double>> && differentiable_tensor<user::colmajor<double>>);
static_assert(!row_major_tensor<user::colmajor<double>> && !row_major_tensor<user::colmajor<float, 2>>);
static_assert(row_major_tensor<user::colmajor<double, 1>> && row_major_tensor<user::colmajor<double, 0>>);

// Typing only: the 1-dim vector of test_user_tensor.cpp.
static_assert(local_tensor<user::vec> && !buffer_tensor<user::vec> && !differentiable_tensor<user::vec>);
static_assert(!spmd::writable_data<user::vec> && !spmd::shape_constructible<user::vec>);

// Numbers: the arithmetic types, and what a local type's library declares (torch: c10::BFloat16).
static_assert(spmd::number<double> && spmd::number<int const&> && !spmd::number<user::vec>);
static_assert(!spmd::number<spmd::local::dense<double, 2>>);

}  // namespace
