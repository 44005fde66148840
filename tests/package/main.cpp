// Consumer of an installed spmd: find_package(spmd) + spmd::spmd, with the Eigen-backed kernels.
#include <spmd/dense.hpp>

#include <fmt/core.h>

int main() {
  using T = spmd::tensor<spmd::local::dense<float, 2>, spmd::mesh<"tp">, spmd::layout<spmd::R>>;
  T a(spmd::local::dense<float, 2>({1, 1}, 3.0f));
  auto c = spmd::matmul(a, a);  // an Eigen GEMM
  if (c.local()(0, 0) != 9.0f) return 1;
  fmt::print("spmd package test OK (find_package found spmd {})\n", SPMD_PACKAGE_VERSION);
  return 0;
}
