// expect: spmd: the local tensor types have no kernel for this op
// Mistake: relu on a user local tensor type that provides no relu kernel.
#include <array>
#include <cstddef>

#include <spmd/spmd.hpp>

namespace my {
struct vec {  // a minimal local tensor type
  using value_type = float;
  static constexpr std::size_t ndim = 1;
  std::array<std::size_t, 1> shape() const { return {n}; }
  float const* data() const { return nullptr; }
  std::size_t n = 0;
};
}  // namespace my

using X = spmd::tensor<my::vec, spmd::mesh<"tp">, spmd::layout<spmd::R>>;

void f(X const& x) {
  auto y = spmd::relu(x);
  (void)y;
}
