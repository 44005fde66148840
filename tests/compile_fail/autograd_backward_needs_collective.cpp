// expect: spmd: autograd: a backward step computes a gradient whose placement on this mesh axis
// Mistake: a hand-written backward hands an I gradient to an input whose gradient must be P
// (the input was R): getting there would need an all-reduce the forward never planned.
#include <spmd/autograd.hpp>
#include <spmd/spmd.hpp>

using namespace spmd;
using namespace spmd::autograd;
using Mesh = mesh<"tp">;
using Mat = local::dense<double, 2>;
using Rt = tensor<Mat, Mesh, layout<R>>;
using It = tensor<Mat, Mesh, layout<I>>;

auto bad_op(var<Rt> const& a) {
  auto out = a.value() * 2.0;
  using Out = decltype(out);
  return record(tape_of(a), std::move(out), a.requires_grad(), [a](grad_t<Out> const& g) {
    It wrong{g.local()};
    a.accumulate(as_grad<grad_t<Rt>>(wrong));
  });
}

int main() {
  var<Rt> x{Rt{Mat({2, 2}, 1.0)}};
  auto y = bad_op(x);
  (void)y;
}
