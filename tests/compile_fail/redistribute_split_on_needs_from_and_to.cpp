// expect: spmd: redistribute: this mesh axis is sharded in both layouts and both shards are moved
// Mistake: one list of split sizes for tp, which goes from S<0> to S<1> (an all_to_all needs the
// extents along both dims: split_on<"tp">(from, to)).
#include <span>

#include <spmd/comm.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/runtime/threads.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
template <class Pdp, class Ptp>
using T = tensor<local::dense<float, 2>, Mesh, layout<Pdp, Ptp>>;

auto step(threads::rank& r, T<R, S<0>> const& x, std::span<std::size_t const> sizes) {
  return redistribute<layout<R, S<1>>>(r, x, split_on<"tp">(sizes));
}

int main() {}
