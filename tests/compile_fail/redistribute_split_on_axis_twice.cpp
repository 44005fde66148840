// expect: spmd: redistribute: split_on<axis> names the same mesh axis twice
// Mistake: two split_on for tp (meant: the source's and the destination's sizes, which is
// split_on<"tp">(from, to)).
#include <span>

#include <spmd/comm.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/runtime/threads.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
template <class Pdp, class Ptp>
using T = tensor<local::dense<float, 2>, Mesh, layout<Pdp, Ptp>>;

auto step(threads::rank& r, T<R, S<0>> const& x, std::span<std::size_t const> a, std::span<std::size_t const> b) {
  return redistribute<layout<R, S<1>>>(r, x, split_on<"tp">(a), split_on<"tp">(b));
}

int main() {}
