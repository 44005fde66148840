// What every compile-fail case of the typed collectives (tests/compile_fail/comm_*.cpp) starts
// from: the collectives, the threads runtime's rank, the words of prelude.hpp and T<P> (placement
// P on tp, R on dp). A case includes <spmd/comm.hpp> before this file: its precompiled form
// (tests/compile_fail/CMakeLists.txt) is used only for a translation unit's first include, and
// most of this prelude is in it.
#pragma once

#include <spmd/comm.hpp>
#include <spmd/runtime/threads.hpp>

#include "prelude.hpp"

template <class P>
using T = tensor<F2, Mesh, layout<at<"tp", P>, at<"dp", R>>>;
