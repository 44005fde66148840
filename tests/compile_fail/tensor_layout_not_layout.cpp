// expect: spmd: tensor<Local, Mesh, Layout>: Layout must be a layout<\.\.\.>
// Mistake: basic_tensor (the class behind the tensor alias) given a named layout, which only the alias resolves.
#include <spmd/spmd.hpp>
#include "prelude.hpp"

using X = basic_tensor<F2, Mesh, layout<at<"dp", R>, at<"tp", S<0>>>>;

void f() {
  X x;
  (void)x;
}
