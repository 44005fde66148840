// The tape's storage of backward steps: reverse order, each step run and destroyed exactly once,
// beyond the tape's inline buffer, with over-aligned captures, after clear() and when a step throws;
// and gradients that accumulate in place keep their values.
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include <spmd/autograd.hpp>
#include <spmd/spmd.hpp>

using namespace spmd;
using namespace spmd::autograd;

namespace {

struct counts {
  int made = 0, destroyed = 0;
};

// A step of `Bytes` bytes of captured data that appends its id when run and counts its copies.
template <std::size_t Bytes, std::size_t Align = alignof(std::max_align_t)>
struct step_of {
  alignas(Align) unsigned char payload[Bytes]{};
  int id;
  std::vector<int>* ran;
  counts* c;
  step_of(int i, std::vector<int>* r, counts* k) : id(i), ran(r), c(k) {
    ++c->made;
    payload[0] = static_cast<unsigned char>(i);
  }
  step_of(step_of const& o) : id(o.id), ran(o.ran), c(o.c) {
    ++c->made;
    payload[0] = o.payload[0];
  }
  step_of& operator=(step_of const&) = delete;
  ~step_of() { ++c->destroyed; }
  void operator()() const {
    CHECK(reinterpret_cast<std::uintptr_t>(&payload) % Align == 0);
    CHECK(payload[0] == static_cast<unsigned char>(id));
    ran->push_back(id);
  }
};

void record_mixed(tape& t, int n, std::vector<int>& ran, counts& c) {
  for (int i = 0; i < n; ++i) {
    switch (i % 3) {
      case 0:
        t.record(step_of<8>(i, &ran, &c));
        break;
      case 1:
        t.record(step_of<300>(i, &ran, &c));
        break;
      default:
        t.record(step_of<16, 64>(i, &ran, &c));
        break;  // over-aligned
    }
  }
}

}  // namespace

TEST_CASE("autograd: the tape runs many steps in reverse, each once, and reuses its buffer", "[autograd]") {
  counts c;
  {
    tape t;
    for (int pass = 0; pass < 3; ++pass) {
      std::vector<int> ran;
      int const n = 50 + 400 * pass;  // well beyond the inline buffer, then more than before
      record_mixed(t, n, ran, c);
      CHECK(t.size() == static_cast<std::size_t>(n));
      t.run_backward();
      CHECK(t.size() == 0);
      REQUIRE(ran.size() == static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) CHECK(ran[static_cast<std::size_t>(i)] == n - 1 - i);
      CHECK(c.made == c.destroyed);  // every stored step was destroyed once it had run
      t.run_backward();              // nothing left
      CHECK(ran.size() == static_cast<std::size_t>(n));
    }
  }
  CHECK(c.made == c.destroyed);
}

TEST_CASE("autograd: clear() and the tape's end destroy steps without running them", "[autograd]") {
  counts c;
  std::vector<int> ran;
  {
    tape t;
    record_mixed(t, 200, ran, c);
    t.clear();
    CHECK(t.size() == 0);
    CHECK(c.made == c.destroyed);
    record_mixed(t, 30, ran, c);
  }
  CHECK(ran.empty());
  CHECK(c.made == c.destroyed);
}

TEST_CASE("autograd: a step that throws leaves the others to be destroyed once", "[autograd]") {
  counts c;
  std::vector<int> ran;
  {
    tape t;
    record_mixed(t, 10, ran, c);
    t.record([] { throw std::runtime_error("step"); });
    record_mixed(t, 10, ran, c);
    CHECK_THROWS_AS(t.run_backward(), std::runtime_error);
    CHECK(ran.size() == 10);
    CHECK(t.size() == 10);  // the steps recorded before the one that threw
  }
  CHECK(c.made == c.destroyed);
}

TEST_CASE("autograd: fan-out accumulates in place with the values of a sum", "[autograd]") {
  using M = mesh<"dp">;
  using Mat = local::dense<double, 2>;
  using X = tensor<Mat, M, layout<I>>;
  tape t;
  parameter<X> p{X{Mat({2, 3}, 1.5)}};
  auto const v = p.on(t);
  // loss = sum(v * v + v * 3 + v): d/dv = 2 v + 3 + 1 = 7 where v = 1.5; three uses of v.
  auto loss = sum_all(v * v + v * 3.0 + v);
  backward(loss);
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(p.grad())>, grad_t<X>>);
  for (std::size_t i = 0; i < 6; ++i) CHECK(p.grad().local().data()[i] == 7.0);
}
