// Unit tests for the compile-time einsum spec parser and the einsum kernels of
// spmd::local::dense (vs naive loops).
#include <spmd/local/dense.hpp>
#include <spmd/local/dense_einsum.hpp>
#include <spmd/local/einsum_spec.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstddef>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "../common/dense_helpers.hpp"

using spmd::local::dense;
using spmd::local::einsum_error;
using spmd::local::einsum_npos;
using spmd::local::einsum_spec;
using spmd::local::parse_einsum;

namespace {

using spmd_tests::random_dense;
using spmd_tests::tol;

/// Independent runtime reference: enumerates every assignment of the labels and
/// accumulates the product of the addressed operand elements (in double).
struct ref_operand {
  std::string labels;
  std::vector<std::size_t> shape;
  std::vector<double> values;
};

template <class T, std::size_t Ndim>
ref_operand as_ref(std::string labels, dense<T, Ndim> const& x) {
  return {labels, {x.shape().begin(), x.shape().end()}, {x.data(), x.data() + x.size()}};
}

std::vector<double> ref_einsum(std::string const& out, std::vector<ref_operand> const& ops) {
  std::map<char, std::size_t> ext;
  for (auto const& op : ops)
    for (std::size_t d = 0; d < op.labels.size(); ++d) ext[op.labels[d]] = op.shape[d];
  std::vector<char> labels;
  for (auto const& [c, e] : ext) labels.push_back(c);
  std::size_t out_size = 1;
  for (char c : out) out_size *= ext[c];
  std::vector<double> result(out_size, 0.0);
  std::map<char, std::size_t> at;
  for (char c : labels) at[c] = 0;
  auto flat = [&](std::string const& ls, auto const& shape_of) {
    std::size_t off = 0;
    for (std::size_t d = 0; d < ls.size(); ++d) off = off * shape_of(d) + at[ls[d]];
    return off;
  };
  std::size_t total = 1;
  for (char c : labels) total *= ext[c];
  for (std::size_t it = 0; it < total; ++it) {
    std::size_t rem = it;
    for (std::size_t l = labels.size(); l-- > 0;) {
      at[labels[l]] = rem % ext[labels[l]];
      rem /= ext[labels[l]];
    }
    double prod = 1.0;
    for (auto const& op : ops) prod *= op.values[flat(op.labels, [&](std::size_t d) { return op.shape[d]; })];
    result[flat(out, [&](std::size_t d) { return ext[out[d]]; })] += prod;
  }
  return result;
}

template <class T, std::size_t Ndim>
void check_against(dense<T, Ndim> const& got, std::vector<double> const& want) {
  REQUIRE(got.size() == want.size());
  double const eps = static_cast<double>(tol<T>) * 100;
  for (std::size_t i = 0; i < want.size(); ++i)
    CHECK(static_cast<double>(got.data()[i]) == Approx(want[i]).epsilon(eps).margin(eps));
}

consteval einsum_error err(std::string_view s) {
  return parse_einsum(s).code();
}

}  // namespace

// ---- parser --------------------------------------------------------------------------------
namespace parse_checks {
constexpr auto mm = parse_einsum("ij,jk->ik");
static_assert(mm.ok() && mm.error == 0);
static_assert(mm.n_inputs == 2 && mm.in_ndim[0] == 2 && mm.in_ndim[1] == 2 && mm.out_ndim == 2);
static_assert(mm.in_labels[0][0] == 'i' && mm.in_labels[1][1] == 'k' && mm.out_labels[1] == 'k');
static_assert(mm.out_position('k') == 1 && mm.out_position('j') == einsum_npos);
static_assert(mm.in_position(1, 'j') == 0 && mm.in_position(0, 'k') == einsum_npos);
static_assert(mm.is_contracted(0, 1) && !mm.is_contracted(0, 0) && mm.is_contracted(1, 0));

constexpr auto total = parse_einsum("ij->");
static_assert(total.ok() && total.n_inputs == 1 && total.out_ndim == 0);
static_assert(parse_einsum("Ab,bC->AC").ok());

static_assert(err("ij,jk") == einsum_error::missing_arrow);
static_assert(err("ij-jk") == einsum_error::missing_arrow);
static_assert(err("i j->ij") == einsum_error::bad_character);
static_assert(err("i1->i") == einsum_error::bad_character);
static_assert(err("ij->j->j") == einsum_error::bad_character);
static_assert(err("ij->i,j") == einsum_error::bad_character);
static_assert(err("i,j,k->ijk") == einsum_error::too_many_operands);
static_assert(err(",ij->ij") == einsum_error::empty_operand);
static_assert(err("ij,->i") == einsum_error::empty_operand);
static_assert(err("->") == einsum_error::empty_operand);
static_assert(err("ii->i") == einsum_error::repeated_label_in_operand);
static_assert(err("ij->k") == einsum_error::output_label_not_in_inputs);
static_assert(err("ij->ii") == einsum_error::repeated_output_label);
static_assert(err("abcdefghijklmnopq->a") == einsum_error::too_many_labels);
static_assert(parse_einsum("abcdefghijklmnop->ponmlkjihgfedcba").ok());
static_assert(parse_einsum("ij->k").error_pos == 4);

// einsum_spec helpers and GEMM recognition.
using mm_t = einsum_spec<"ij,jk->ik">;
static_assert(mm_t::ok && mm_t::n_inputs == 2 && mm_t::out_ndim == 2 && mm_t::in_ndim(1) == 2);
static_assert(mm_t::str == "ij,jk->ik");
static_assert(mm_t::out_position('i') == 0 && mm_t::is_contracted(1, 0));
static_assert(mm_t::out_position_of(1, 1) == 1 && mm_t::out_position_of(0, 1) == einsum_npos);
static_assert(mm_t::in_label(1, 0) == 'j' && mm_t::out_label(1) == 'k');
static_assert(mm_t::plan.gemm && mm_t::plan.n_batch == 0);
static_assert(!mm_t::plan.trans_a && !mm_t::plan.trans_b && !mm_t::plan.trans_out);
static_assert(mm_t::plan.n_loop == 3 && mm_t::plan.loop_labels[2] == 'j');
static_assert(einsum_spec<"ji,jk->ik">::plan.gemm && einsum_spec<"ji,jk->ik">::plan.trans_a);
static_assert(einsum_spec<"ij,kj->ik">::plan.gemm && einsum_spec<"ij,kj->ik">::plan.trans_b);
static_assert(einsum_spec<"ij,jk->ki">::plan.gemm && einsum_spec<"ij,jk->ki">::plan.trans_out);
static_assert(einsum_spec<"bij,bjk->bik">::plan.gemm && einsum_spec<"bij,bjk->bik">::plan.n_batch == 1);
static_assert(einsum_spec<"bhqd,bhkd->bhqk">::plan.gemm && einsum_spec<"bhqd,bhkd->bhqk">::plan.n_batch == 2 &&
              einsum_spec<"bhqd,bhkd->bhqk">::plan.trans_b);
static_assert(!einsum_spec<"ij,ij->i">::plan.gemm);
static_assert(!einsum_spec<"i,j->ij">::plan.gemm);
static_assert(!einsum_spec<"bij,jk->bik">::plan.gemm);
static_assert(!einsum_spec<"bij,bjk->ik">::plan.gemm);
static_assert(!einsum_spec<"ij,jk->i">::plan.gemm);
static_assert(!einsum_spec<"ij->ji">::plan.gemm);
static_assert(!einsum_spec<"ij,jk">::ok);
static_assert(spmd::local::einsum_spec_type<mm_t>);
static_assert(!spmd::local::einsum_spec_type<int>);
}  // namespace parse_checks

// ---- result types --------------------------------------------------------------------------
static_assert(std::is_same_v<decltype(einsum(einsum_spec<"ij,jk->ik">{}, dense<float, 2>{}, dense<float, 2>{})),
                             dense<float, 2>>);
static_assert(std::is_same_v<decltype(einsum(einsum_spec<"ij->">{}, dense<double, 2>{})), dense<double, 0>>);
static_assert(
    std::is_same_v<decltype(einsum(einsum_spec<"i,j->ij">{}, dense<float, 1>{}, dense<float, 1>{})), dense<float, 2>>);

// ---- kernels -------------------------------------------------------------------------------
TEMPLATE_TEST_CASE("dense: einsum matches naive loops", "[dense][einsum]", float, double) {
  using T = TestType;
  std::mt19937 gen(314);

  SECTION("ij,jk->ik (Eigen path)") {
    auto const a = random_dense<T, 2>({3, 5}, gen);
    auto const b = random_dense<T, 2>({5, 4}, gen);
    auto const c = einsum(einsum_spec<"ij,jk->ik">{}, a, b);
    REQUIRE(c.shape() == std::array<std::size_t, 2>{3, 4});
    std::vector<double> want(12, 0.0);
    for (std::size_t i = 0; i < 3; ++i)
      for (std::size_t k = 0; k < 4; ++k)
        for (std::size_t j = 0; j < 5; ++j)
          want[i * 4 + k] += static_cast<double>(a(i, j)) * static_cast<double>(b(j, k));
    check_against(c, want);
  }
  SECTION("ij->ji") {
    auto const a = random_dense<T, 2>({3, 5}, gen);
    auto const t = einsum(einsum_spec<"ij->ji">{}, a);
    REQUIRE(t.shape() == std::array<std::size_t, 2>{5, 3});
    for (std::size_t i = 0; i < 3; ++i)
      for (std::size_t j = 0; j < 5; ++j) CHECK(t(j, i) == a(i, j));
  }
  SECTION("bij,bjk->bik (batched Eigen path)") {
    auto const a = random_dense<T, 3>({2, 3, 4}, gen);
    auto const b = random_dense<T, 3>({2, 4, 5}, gen);
    auto const c = einsum(einsum_spec<"bij,bjk->bik">{}, a, b);
    REQUIRE(c.shape() == std::array<std::size_t, 3>{2, 3, 5});
    std::vector<double> want(30, 0.0);
    for (std::size_t n = 0; n < 2; ++n)
      for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t k = 0; k < 5; ++k)
          for (std::size_t j = 0; j < 4; ++j)
            want[(n * 3 + i) * 5 + k] += static_cast<double>(a(n, i, j)) * static_cast<double>(b(n, j, k));
    check_against(c, want);
  }
  SECTION("ij,ij->i (row-wise dot)") {
    auto const a = random_dense<T, 2>({4, 6}, gen);
    auto const b = random_dense<T, 2>({4, 6}, gen);
    auto const c = einsum(einsum_spec<"ij,ij->i">{}, a, b);
    REQUIRE(c.shape() == std::array<std::size_t, 1>{4});
    std::vector<double> want(4, 0.0);
    for (std::size_t i = 0; i < 4; ++i)
      for (std::size_t j = 0; j < 6; ++j) want[i] += static_cast<double>(a(i, j)) * static_cast<double>(b(i, j));
    check_against(c, want);
  }
  SECTION("i,j->ij (outer product)") {
    auto const a = random_dense<T, 1>({3}, gen);
    auto const b = random_dense<T, 1>({4}, gen);
    auto const c = einsum(einsum_spec<"i,j->ij">{}, a, b);
    REQUIRE(c.shape() == std::array<std::size_t, 2>{3, 4});
    for (std::size_t i = 0; i < 3; ++i)
      for (std::size_t j = 0; j < 4; ++j) CHECK(c(i, j) == Approx(a(i) * b(j)).epsilon(tol<T>).margin(tol<T>));
  }
  SECTION("ij-> (total sum) and ij->i") {
    auto const a = random_dense<T, 2>({3, 7}, gen);
    double want = 0;
    std::vector<double> rows(3, 0.0);
    for (std::size_t i = 0; i < 3; ++i)
      for (std::size_t j = 0; j < 7; ++j) {
        want += static_cast<double>(a(i, j));
        rows[i] += static_cast<double>(a(i, j));
      }
    auto const s = einsum(einsum_spec<"ij->">{}, a);
    CHECK(static_cast<double>(s()) == Approx(want).epsilon(1e-4).margin(1e-4));
    check_against(einsum(einsum_spec<"ij->i">{}, a), rows);
  }
  SECTION("GEMM variants with transposed operands / output, and 4-D attention scores") {
    auto const a = random_dense<T, 2>({5, 3}, gen);   // "ji": j=5, i=3
    auto const b = random_dense<T, 2>({5, 4}, gen);   // "jk"
    auto const bt = random_dense<T, 2>({4, 5}, gen);  // "kj"
    auto const x = random_dense<T, 2>({3, 5}, gen);   // "ij"
    check_against(einsum(einsum_spec<"ji,jk->ik">{}, a, b), ref_einsum("ik", {as_ref("ji", a), as_ref("jk", b)}));
    check_against(einsum(einsum_spec<"ij,kj->ik">{}, x, bt), ref_einsum("ik", {as_ref("ij", x), as_ref("kj", bt)}));
    check_against(einsum(einsum_spec<"ij,jk->ki">{}, x, b), ref_einsum("ki", {as_ref("ij", x), as_ref("jk", b)}));
    check_against(einsum(einsum_spec<"ji,kj->ki">{}, a, bt), ref_einsum("ki", {as_ref("ji", a), as_ref("kj", bt)}));
    auto const q = random_dense<T, 4>({2, 3, 4, 8}, gen);  // b h q d
    auto const k = random_dense<T, 4>({2, 3, 5, 8}, gen);  // b h k d
    auto const s = einsum(einsum_spec<"bhqd,bhkd->bhqk">{}, q, k);
    REQUIRE(s.shape() == std::array<std::size_t, 4>{2, 3, 4, 5});
    check_against(s, ref_einsum("bhqk", {as_ref("bhqd", q), as_ref("bhkd", k)}));
    auto const v = random_dense<T, 4>({2, 3, 5, 8}, gen);  // b h k d
    auto const o = einsum(einsum_spec<"bhqk,bhkd->bhqd">{}, s, v);
    check_against(o, ref_einsum("bhqd", {as_ref("bhqk", s), as_ref("bhkd", v)}));
  }
  SECTION("generic loop: mixed ranks, reordering, label only in one operand") {
    auto const a = random_dense<T, 3>({2, 3, 4}, gen);
    auto const w = random_dense<T, 2>({4, 5}, gen);
    check_against(einsum(einsum_spec<"bij,jk->bik">{}, a, w), ref_einsum("bik", {as_ref("bij", a), as_ref("jk", w)}));
    auto const m = random_dense<T, 2>({2, 3}, gen);
    check_against(einsum(einsum_spec<"bij,bi->jb">{}, a, m), ref_einsum("jb", {as_ref("bij", a), as_ref("bi", m)}));
    check_against(einsum(einsum_spec<"ijk->kij">{}, a), ref_einsum("kij", {as_ref("ijk", a)}));
    auto const l = random_dense<T, 1>({3}, gen);
    check_against(einsum(einsum_spec<"ijk,l->lk">{}, a, l), ref_einsum("lk", {as_ref("ijk", a), as_ref("l", l)}));
  }
  SECTION("empty extents") {
    auto const c = einsum(einsum_spec<"ij,jk->ik">{}, dense<T, 2>({2, 0}), dense<T, 2>({0, 3}));
    CHECK(c == dense<T, 2>({2, 3}, T(0)));
    auto const d = einsum(einsum_spec<"ij,ij->i">{}, dense<T, 2>({2, 0}), dense<T, 2>({2, 0}));
    CHECK(d == dense<T, 1>({2}, T(0)));
  }
}

TEST_CASE("dense: einsum label extent mismatch throws", "[dense][einsum]") {
  dense<float, 2> a({2, 3}), b({4, 5});
  REQUIRE_THROWS_AS(einsum(einsum_spec<"ij,jk->ik">{}, a, b), std::invalid_argument);
  REQUIRE_THROWS_WITH(einsum(einsum_spec<"ij,jk->ik">{}, a, b),
                      Catch::StartsWith("spmd: einsum") && Catch::Contains("'j'") && Catch::Contains("[2, 3]") &&
                          Catch::Contains("[4, 5]"));
  REQUIRE_THROWS_WITH(einsum(einsum_spec<"ij,ij->i">{}, a, b),
                      Catch::StartsWith("spmd: einsum") && Catch::Contains("ij,ij->i"));
  dense<double, 3> x({2, 3, 4}), y({3, 4, 5});
  REQUIRE_THROWS_WITH(einsum(einsum_spec<"bij,bjk->bik">{}, x, y),
                      Catch::StartsWith("spmd: einsum") && Catch::Contains("'b'"));
}
