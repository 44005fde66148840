// spmd/nn/init.hpp - deterministic parameter initialisation that does not depend on the mesh.
//
// Every rank generates the WHOLE parameter from the seed (the same numbers on every rank, on
// every mesh), then keeps its shard with a typed convert (R -> S<d> on tp). A model initialised
// from one seed is therefore the same model on a 1 x 1 mesh and on any dp x tp mesh, which is
// what the serial-equivalence tests rely on. The generator is self-contained (splitmix64 and
// Box-Muller), so the numbers do not depend on the standard library either.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <spmd/comm/convert.hpp>
#include <spmd/local/dense.hpp>
#include <spmd/nn/types.hpp>
#include <spmd/runtime/communicator.hpp>

namespace spmd::nn {

/// splitmix64: a small, fast, well-mixed 64-bit generator.
class rng {
 public:
  explicit rng(std::uint64_t seed) noexcept : state_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in (0, 1).
  double uniform() noexcept { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }
  /// Uniform integer in [0, n).
  std::size_t below(std::size_t n) noexcept { return static_cast<std::size_t>(next() % n); }
  /// Standard normal (Box-Muller; one draw per call).
  double normal() noexcept {
    double const u1 = uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  std::uint64_t state_;
};

/// A seed derived from `seed` and a stream number (independent streams per parameter).
inline std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) noexcept {
  rng g(seed ^ (stream * 0xD1B54A32D192ED03ull + 0x8CB92BA72F3D8DD7ull));
  g.next();
  return g.next();
}

/// Hands out the whole initial value of each parameter in turn: parameter k gets its own stream
/// of the seed, so adding a parameter at the end does not change the others.
class initializer {
 public:
  explicit initializer(std::uint64_t seed) noexcept : seed_(seed) {}

  /// A [rows, cols] matrix of N(0, stddev^2) numbers (the next stream), of the layers' local type
  /// for element parameter T (see nn/types.hpp).
  template <class T>
  local_of_t<T> normal(std::size_t rows, std::size_t cols, double stddev) {
    using V = value_of_t<T>;
    rng g(derive_seed(seed_, next_++));
    local_of_t<T> m({rows, cols});
    V* x = m.data();
    for (std::size_t i = 0; i < rows * cols; ++i) x[i] = static_cast<V>(stddev * g.normal());
    return m;
  }
  /// A [rows, cols] matrix filled with `value` (still consumes a stream, to keep numbering stable).
  template <class T>
  local_of_t<T> constant(std::size_t rows, std::size_t cols, double value) {
    ++next_;
    return local_of_t<T>({rows, cols}, static_cast<value_of_t<T>>(value));
  }

 private:
  std::uint64_t seed_;
  std::uint64_t next_ = 0;
};

/// A parameter every rank holds whole: R@dp, I@tp.
template <class T>
parameter<replicated<T>> make_replicated(local_of_t<T> whole) {
  return parameter<replicated<T>>{replicated<T>{std::move(whole)}};
}

/// This rank's tp shard along dim D of a whole value held by every rank: convert<"tp", R, S<D>>.
template <int D, class L, rank_context Rank>
parameter<dp_tp_tensor<L, R, S<D>>> make_tp_sharded(Rank& r, L whole) {
  auto shard = spmd::convert<"tp", R, S<D>>(r, dp_tp_tensor<L, R, R>{std::move(whole)});
  return parameter<dp_tp_tensor<L, R, S<D>>>{std::move(shard)};
}

}  // namespace spmd::nn
