// expect: spmd: all_gather: the gather dim must be a dim of the tensor
// Mistake: all_gather of a plain V along dim 2 of a 2-dim tensor.
#include <spmd/comm.hpp>
#include <spmd/runtime/threads.hpp>
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using Vt = tensor<F2, Mesh, layout<R, V>>;

void f(threads::rank& r, Vt const& v) {
  auto y = all_gather<"tp", R, 2>(r, v);
  (void)y;
}
