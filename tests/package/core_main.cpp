// Consumer of an installed spmd through spmd::core: the typed layer without Eigen or Boost.
#include <spmd/spmd.hpp>

#include <fmt/core.h>

#if defined(EIGEN_WORLD_VERSION) || defined(BOOST_VERSION)
#error "<spmd/spmd.hpp> must not include Eigen or Boost"
#endif

int main() {
  using T = spmd::tensor<spmd::local::dense<float, 2>, spmd::mesh<"dp", "tp">, spmd::layout<spmd::R, spmd::S<1>>>;
  if (spmd::type_name<T>() != "f32[*,*]{dp:R,tp:S(1)}") return 1;
  fmt::print("spmd core package test OK (find_package found spmd {})\n", SPMD_PACKAGE_VERSION);
  return 0;
}
