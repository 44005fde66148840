// expect: spmd: this collective splits or joins the local tensor along a dim, which needs data\(\) in row-major order
// Mistake: all_gather of a column-major local tensor (user::colmajor, tests/common/colmajor.hpp):
// the collectives cut S<d> chunks out of data() as row-major blocks. all_reduce works on it.
#include <spmd/comm.hpp>
#include <spmd/runtime/threads.hpp>

#include "../common/colmajor.hpp"

using namespace spmd;
using Rows = tensor<user::colmajor<double>, mesh<"tp">, layout<S<0>>>;
using Pending = tensor<user::colmajor<double>, mesh<"tp">, layout<P>>;

void step(threads::rank& r, Rows const& s, Pending const& p) {
  auto ok = all_reduce<"tp", R>(r, p);  // any element order: a sum element by element
  auto y = all_gather<"tp", R>(r, s);   // error
  (void)ok;
  (void)y;
}

int main() {}
