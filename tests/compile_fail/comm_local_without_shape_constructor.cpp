// expect: spmd: the collectives make local tensors of a given shape: the local tensor type needs a constructor from its shape type, Local\(shape\)
// Mistake: all_reduce of a local tensor type with writable data but no constructor from a shape
// (the collectives make their results that way).
#include <array>
#include <cstddef>
#include <vector>

#include <spmd/comm.hpp>
#include <spmd/runtime/threads.hpp>

namespace my {
struct vec {
  using value_type = float;
  static constexpr std::size_t ndim = 1;
  std::vector<float> v;
  [[nodiscard]] std::array<std::size_t, 1> shape() const { return {v.size()}; }
  [[nodiscard]] float* data() { return v.data(); }
  [[nodiscard]] float const* data() const { return v.data(); }
};
}  // namespace my

using namespace spmd;
using Pending = tensor<my::vec, mesh<"tp">, layout<P>>;

void step(threads::rank& r, Pending const& p) {
  auto y = all_reduce<"tp", R>(r, p);
  (void)y;
}

int main() {}
