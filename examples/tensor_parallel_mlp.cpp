// A Megatron-style tensor-parallel MLP, typed: y = gelu(x @ w1) @ w2 with w1 split by columns and
// w2 split by rows over the mesh axis "tp". The compiler derives every layout and would reject
// using the row-parallel output before its reduction. The tp ranks are run one after another
// here and their pending sums added by hand (the job of all_reduce); the result is compared with
// the serial computation.
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include <spmd/dense.hpp>

using namespace spmd;

using Mesh = mesh<"tp">;
using Mat = local::dense<double, 2>;
using Act = tensor<Mat, Mesh, layout<R>>;    // activations: the same on every tp rank
using W1 = tensor<Mat, Mesh, layout<S<1>>>;  // column-parallel weight: split along its columns
using W2 = tensor<Mat, Mesh, layout<S<0>>>;  // row-parallel weight: split along its rows
using Out = tensor<Mat, Mesh, layout<P>>;    // each rank's output is a piece of a pending sum

// The per-rank program. Its return type is checked: returning `h` (V@tp) or forgetting
// out_partial (a V result, not P) does not compile.
Out mlp(Act const& x, W1 const& w1, W2 const& w2) {
  auto h = gelu(matmul(x, w1));             // R x S(1) -> S(1): this rank's hidden columns
  return matmul(h, w2, out_partial<"tp">);  // contraction over the split dim -> P
}

namespace {
Mat random_matrix(std::size_t rows, std::size_t cols, std::mt19937& gen) {
  std::normal_distribution<double> dist(0.0, 1.0);
  Mat m({rows, cols});
  for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = dist(gen);
  return m;
}
// Columns [c0, c0 + n) of m.
Mat columns(Mat const& m, std::size_t c0, std::size_t n) {
  Mat out({m.extent(0), n});
  for (std::size_t i = 0; i < m.extent(0); ++i)
    for (std::size_t j = 0; j < n; ++j) out(i, j) = m(i, c0 + j);
  return out;
}
// Rows [r0, r0 + n) of m.
Mat rows(Mat const& m, std::size_t r0, std::size_t n) {
  Mat out({n, m.extent(1)});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < m.extent(1); ++j) out(i, j) = m(r0 + i, j);
  return out;
}
}  // namespace

int main() {
  constexpr std::size_t tp = 4, batch = 3, model = 8, hidden = 16;
  std::mt19937 gen(42);
  Mat const x = random_matrix(batch, model, gen), w1 = random_matrix(model, hidden, gen),
            w2 = random_matrix(hidden, model, gen);

  std::printf("mesh: tp=%zu\n", tp);
  std::printf("x  : %s\nw1 : %s\nw2 : %s\n", type_name<Act>().c_str(), type_name<W1>().c_str(),
              type_name<W2>().c_str());

  Mat sum({batch, model}, 0.0);
  for (std::size_t rank = 0; rank < tp; ++rank) {
    std::size_t const h = hidden / tp;
    Out const y = mlp(Act{x}, W1{columns(w1, rank * h, h)}, W2{rows(w2, rank * h, h)});
    if (rank == 0) std::printf("y  : %s on every rank\n", fmt::format("{}", y).c_str());
    sum = local::add(sum, y.local());  // what all_reduce does across the tp ranks
  }

  Mat const serial = local::matmul(local::gelu(local::matmul(x, w1)), w2);
  double max_diff = 0.0;
  for (std::size_t i = 0; i < serial.size(); ++i)
    max_diff = std::fmax(max_diff, std::fabs(serial.data()[i] - sum.data()[i]));
  std::printf("max |tensor-parallel - serial| = %.3g\n", max_diff);
  if (max_diff > 1e-12) {
    std::puts("FAILED: the tensor-parallel result differs from the serial one");
    return 1;
  }
  std::puts("OK: the sum of the tp ranks' pending sums equals the serial MLP");
  return 0;
}
