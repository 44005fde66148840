// Ndim-generic bodies of the typed collectives' run-time faults that no type can catch: local
// shapes that hold the same number of elements but differ ([2, 3] on one rank, [3, 2] on
// another), split sizes that differ between the ranks of a convert, and a runtime mesh whose axes
// are in another order than the type's. Each body runs the faulty call on every rank; the tests
// (threads: tests/unit/test_typed_faults.cpp, MPI: tests/mpi/faults.cpp) check what it throws.
#pragma once

#include <cstddef>
#include <vector>

#include <spmd/comm/collectives.hpp>
#include <spmd/comm/convert.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/tensor.hpp>

namespace spmd_tests::typed_faults {

using namespace spmd;
using Mat = local::dense<double, 2>;
template <class... Ps>
using on_x = tensor<Mat, mesh<"x">, layout<Ps...>>;

/// all_reduce of a pending sum whose local shape is [3, 2] on rank 1 and [2, 3] elsewhere.
template <class Rank>
void transposed_all_reduce(Rank& r) {
  Mat::shape_type const shape = r.index() == 1 ? Mat::shape_type{3, 2} : Mat::shape_type{2, 3};
  auto y = all_reduce<"x", R>(r, on_x<P>{Mat(shape, 1.0)});
  (void)y;
}

/// all_gather along dim 0 of shards [3, 2] on rank 1 and [2, 3] elsewhere: even splits whose
/// element counts agree, but the shards differ outside the gathered dim.
template <class Rank>
void transposed_all_gather(Rank& r) {
  Mat::shape_type const shape = r.index() == 1 ? Mat::shape_type{3, 2} : Mat::shape_type{2, 3};
  auto y = all_gather<"x", R>(r, on_x<S<0>>{Mat(shape, 1.0)});
  (void)y;
}

/// convert R -> S<0> of a [4, 2] matrix with split sizes {3, 1} on rank 0 and {2, 2} on the
/// others (two ranks): without a check, row 2 would be dropped.
template <class Rank>
void inconsistent_convert(Rank& r) {
  std::vector<std::size_t> const sizes =
      r.index() == 0 ? std::vector<std::size_t>{3, 1} : std::vector<std::size_t>{2, 2};
  auto y = convert<"x", R, S<0>>(r, on_x<R>{Mat({4, 2}, 1.0)}, sizes);
  (void)y;
}

/// A collective over "dp,tp" on tensors typed mesh<"dp", "tp">: the runtime must order its axes
/// dp, tp (the caller runs it on a mesh in the other order).
template <class Rank>
void flattened_all_gather(Rank& r) {
  using T = tensor<Mat, mesh<"dp", "tp">, layout<S<0>, S<0>>>;
  auto y = all_gather<"dp,tp", R>(r, T{Mat({1, 2}, static_cast<double>(r.index()))});
  (void)y;
}

}  // namespace spmd_tests::typed_faults
