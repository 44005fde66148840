// expect: spmd: redistribute: split_on<axis> gives split sizes for a mesh axis that no step gathers or splits along
// Mistake: split sizes for dp, which is R in both layouts (the shards are on tp).
#include <span>

#include <spmd/comm.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/runtime/threads.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
template <class Pdp, class Ptp>
using T = tensor<local::dense<float, 2>, Mesh, layout<Pdp, Ptp>>;

auto step(threads::rank& r, T<R, S<0>> const& x, std::span<std::size_t const> sizes) {
  return redistribute<layout<R, R>>(r, x, split_on<"dp">(sizes));
}

int main() {}
