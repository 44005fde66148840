// expect: spmd: a matmul/einsum contracts a dim that is sharded on this mesh axis in one operand only
// Mistake: a column-sharded activation times a whole (R) weight: the contracted dim is sharded in
// one operand only. Fix: all_gather the activation first, or shard the weight by rows.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

auto f(tensor<F2, Mesh, layout<V, S<1>>> const& h, tensor<F2, Mesh, layout<R, R>> const& w) {
  return matmul(h, w);
}
