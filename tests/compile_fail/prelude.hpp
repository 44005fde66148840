// The words most compile-fail cases start from: the spmd namespace, a (dp, tp) mesh and a float
// matrix as the local tensor. A case includes its heaviest header first (its precompiled form, see
// tests/compile_fail/CMakeLists.txt, is used only for a translation unit's first include), then
// this file, and declares only the tensor types it uses.
#pragma once

#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
using F2 = local::dense<float, 2>;
