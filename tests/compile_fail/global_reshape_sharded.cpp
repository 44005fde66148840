// expect: spmd: global: this op merges or cuts a sharded dim
// Mistake: Reshapes a tensor whose dim 1 is sharded on tp (flattening across a shard needs the even-only form).
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

void f(G2<spec<on<>, on<"tp">, at<"dp", R>>> const& a) {
  auto c = reshape(a, std::array<std::size_t, 1>{64});
  (void)c;
}
