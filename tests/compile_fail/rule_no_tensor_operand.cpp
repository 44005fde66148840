// expect: spmd: an op needs at least one tensor operand
// Mistake: asks the axis rule for an op whose operands are all plain numbers.
#include <spmd/spmd.hpp>

using namespace spmd;
using Mesh = mesh<"dp", "tp">;
using F2 = local::dense<float, 2>;

constexpr auto k = rules::result_kind<op::add, axis_tag<"tp">, rules::scalar, rules::scalar>();
