// expect: spmd: a collective gathers or splits a dim over mesh axes that come before this mesh axis, which shards the same dim
// Mistake, on autograd variables: all_gather over the outer axis dp while tp shards the same dim.
#include <spmd/autograd.hpp>
#include <spmd/runtime/threads.hpp>
#include "prelude.hpp"

using Both = tensor<F2, Mesh, layout<S<0>, S<0>>>;

auto step(threads::rank& r, autograd::var<Both> const& x) {
  return autograd::all_gather<"dp", R>(r, x);
}

int main() {}
