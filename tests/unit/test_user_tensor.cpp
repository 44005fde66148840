// The local tensor concept is open: a user's own tensor type gets the same typing rules.
#include <catch2/catch.hpp>

#include <spmd/spmd.hpp>

#include "user_tensor.hpp"

using namespace spmd;

namespace {
using M = mesh<"dp", "tp">;
using Grad = tensor<user::vec, M, layout<P, V>>;
using Act = tensor<user::vec, M, layout<R, V>>;
}  // namespace

static_assert(local_tensor<user::vec>);
static_assert(sizeof(Grad) == sizeof(user::vec));

TEST_CASE("a user-defined local tensor runs the typed ops it has kernels for", "[user]") {
  Grad g{user::vec{{1.0, -2.0, 3.0}}};
  auto sum = g + g;  // P + P -> P
  STATIC_REQUIRE(std::is_same_v<decltype(sum), Grad>);
  CHECK(sum.local() == user::vec{{2.0, -4.0, 6.0}});

  auto scaled = g * 0.5;  // P * scalar -> P
  STATIC_REQUIRE(std::is_same_v<decltype(scaled), Grad>);
  CHECK(scaled.local() == user::vec{{0.5, -1.0, 1.5}});

  Act a{user::vec{{-1.0, 2.0}}};
  auto r = relu(a);
  STATIC_REQUIRE(std::is_same_v<decltype(r), Act>);
  CHECK(r.local() == user::vec{{0.0, 2.0}});
  CHECK(fmt::format("{}", a) == "f64[2]{dp:R,tp:V}");
}
