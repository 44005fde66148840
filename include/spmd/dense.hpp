// spmd/dense.hpp - the typed layer (<spmd/spmd.hpp>) with every kernel of local::dense (Eigen).
//
// Include this to run typed ops on local::dense tensors. <spmd/spmd.hpp> alone declares the
// dense type but none of its kernels, so that it type-checks programs without Eigen.
#pragma once

#include <spmd/local/kernels.hpp>
#include <spmd/spmd.hpp>
