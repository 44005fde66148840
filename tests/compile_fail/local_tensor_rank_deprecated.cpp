// expect: spmd: a local tensor type's static `rank` is deprecated: name it `ndim`
// A user's local tensor type that still names its number of dims `rank` (the deprecated spelling of
// `ndim`) is accepted, with a warning where the library reads it (an error under -Werror).
#include <array>
#include <cstddef>

#include <spmd/spmd.hpp>

struct old_vector {
  using value_type = double;
  static constexpr std::size_t rank = 1;  // the deprecated spelling of ndim
  std::array<std::size_t, 1> shape() const { return {4}; }
  double const* data() const { return values.data(); }
  std::array<double, 4> values{};
};

static_assert(spmd::local_tensor<old_vector>);
using T = spmd::tensor<old_vector, spmd::mesh<"dp">, spmd::layout<spmd::R>>;
static_assert(T::ndim == 1);
