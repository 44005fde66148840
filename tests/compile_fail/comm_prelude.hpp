// What every compile-fail case of the typed collectives (tests/compile_fail/comm_*.cpp) starts
// from: the collectives, a (dp, tp) mesh, T<P> (placement P on tp, R on dp) and T2<Pdp, Ptp>.
// A case includes <spmd/comm.hpp> before this file: its precompiled form (tests/compile_fail/CMakeLists.txt)
// is used only for a translation unit's first include, and most of this prelude is in it.
#pragma once

#include <spmd/comm.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/runtime/threads.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
template <class P>
using T = tensor<local::dense<float, 2>, Mesh, layout<at<"tp", P>, at<"dp", R>>>;
template <class Pdp, class Ptp>
using T2 = tensor<local::dense<float, 2>, Mesh, layout<Pdp, Ptp>>;
