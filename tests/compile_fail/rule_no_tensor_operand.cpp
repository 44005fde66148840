// expect: spmd: an op needs at least one tensor operand
// Mistake: asks the axis rule for an op whose operands are all plain numbers.
#include <spmd/spmd.hpp>

using namespace spmd;

constexpr auto n =
    sizeof(rules::axis_diagnostic<op::add, axis_tag<"tp">, rules::same_dims, false, rules::scalar, rules::scalar>);
