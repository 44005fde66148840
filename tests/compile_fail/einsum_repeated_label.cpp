// expect: spmd: einsum<spec>: a label repeats within one operand
// Mistake: a diagonal: label i twice in one operand.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& a) {
  auto c = einsum<"ii->i">(a);
  (void)c;
}
