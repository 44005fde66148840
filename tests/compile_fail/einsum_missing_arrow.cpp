// expect: spmd: einsum<spec>: the spec has no [^;]*->[^;]*; name the output labels
// Mistake: an einsum spec without "->".
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Rt = tensor<F2, Mesh, layout<R, R>>;

void f(Rt const& a, Rt const& b) {
  auto c = einsum<"ij,jk">(a, b);
  (void)c;
}
