// expect: spmd: P \+ R on this mesh axis: a linear op mixes a pending sum with a whole \(R or I\) term
// Mistake: the bias of a row-parallel linear is added to the pending sum (P@tp): every tp rank
// adds it, so the reduced output holds tp times the bias. Fix: add the bias after the reduction.
#include <spmd/comm.hpp>
#include <spmd/nn.hpp>
#include <spmd/runtime/threads.hpp>

using namespace spmd;
using T = float;

auto row_out(threads::rank& r, nn::column_out<T> const& h, nn::row_weight<T> const& w, nn::replicated<T> const& b) {
  auto bias = convert<"tp", I, R>(r, b);
  return matmul(h, w, out_partial<"tp">) + bias;
}

int main() {}
