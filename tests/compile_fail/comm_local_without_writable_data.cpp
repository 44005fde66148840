// expect: spmd: the collectives write into the local tensor: it needs a non-const data\(\) that returns value_type\*
// Mistake: all_reduce of a local tensor type whose data() is read-only (user::vec of
// tests/unit/user_tensor.hpp models local_tensor, which is enough for the typed ops, but not
// buffer_tensor).
#include <spmd/comm.hpp>
#include <spmd/runtime/threads.hpp>

#include "../unit/user_tensor.hpp"

using namespace spmd;
using Pending = tensor<user::vec, mesh<"tp">, layout<P>>;

void step(threads::rank& r, Pending const& p) {
  auto y = all_reduce<"tp", R>(r, p);
  (void)y;
}

int main() {}
