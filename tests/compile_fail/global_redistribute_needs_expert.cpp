// expect: spmd: convert<axis, R, I> needs spmd::expert
// Mistake: Redistributes R to I on tp: the convert has no natural forward use and needs spmd::expert.
#include <spmd/dense.hpp>
#include <spmd/global.hpp>

using namespace spmd;
using M = mesh<"dp", "tp">;
template <class Spec>
using G2 = global_tensor<local::dense<float, 2>, M, Spec>;

#include <spmd/runtime/threads.hpp>
void f(threads::rank& r, G2<spec<on<"dp">, on<>, at<"tp", R>>> const& x) {
  auto y = global::redistribute<spec<on<"dp">, on<>, at<"tp", I>>>(r, x);
  (void)y;
}
