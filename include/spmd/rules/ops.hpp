// spmd/rules/ops.hpp - the op tags of the built-in non-communicating ops and their linearity.
#pragma once

#include <spmd/rules/linearity.hpp>

/// Op tags: each names an op for the typing rules and diagnostics and declares its linearity.
/// A user op is a tag like these; without a `linearity` member it is non-linear.
namespace spmd::op {

// clang-format off
struct neg  { static constexpr auto linearity = spmd::linearity::linear; };
struct exp  {};
struct log  {};
struct tanh {};
struct relu {};
struct gelu {};
struct sqrt {};
struct softmax {};

struct add { static constexpr auto linearity = spmd::linearity::linear; };
struct sub { static constexpr auto linearity = spmd::linearity::linear; };
struct mul { static constexpr auto linearity = spmd::linearity::multilinear; };
struct div { static constexpr auto linearity = spmd::linearity::linear_in_first; };

struct matmul { static constexpr auto linearity = spmd::linearity::multilinear; };
struct einsum { static constexpr auto linearity = spmd::linearity::multilinear; };

struct sum       { static constexpr auto linearity = spmd::linearity::linear; };
struct mean      { static constexpr auto linearity = spmd::linearity::linear; };
struct transpose { static constexpr auto linearity = spmd::linearity::linear; };
struct reshape   { static constexpr auto linearity = spmd::linearity::linear; };
struct unsqueeze { static constexpr auto linearity = spmd::linearity::linear; };
struct squeeze   { static constexpr auto linearity = spmd::linearity::linear; };
struct concat    { static constexpr auto linearity = spmd::linearity::linear; };
// clang-format on

}  // namespace spmd::op
