// Consumer of an installed spmd: find_package(spmd) + spmd::spmd.
#include <spmd/spmd.hpp>

#include <fmt/core.h>

int main() {
  fmt::print("spmd package test OK (find_package found spmd {})\n", SPMD_PACKAGE_VERSION);
  return 0;
}
