// examples/options.hpp - the command-line scanning of the example programs: `--name value` pairs,
// numbers and choices. A mistake (or -h/--help) prints the program's usage and exits with status 2.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace examples {

/// A program's name and the synopsis of its options (which may span lines), for its usage message.
struct program {
  char const* name;
  char const* synopsis;

  /// Prints "<name>: <msg>" and the usage line to stderr, then exits with status 2.
  [[noreturn]] void usage(std::string const& msg) const {
    std::fprintf(stderr, "%s: %s\nusage: %s %s\n", name, msg.c_str(), name, synopsis);
    std::exit(2);
  }
};

/// One `--name value` pair of the command line.
class arg {
 public:
  arg(program const& prog, std::string name, std::string value)
      : prog_(prog), name_(std::move(name)), value_(std::move(value)) {}

  [[nodiscard]] bool is(std::string_view name) const { return name_ == name; }

  /// The value as an unsigned decimal number.
  [[nodiscard]] std::size_t number() const {
    char* end = nullptr;
    unsigned long long const x = std::strtoull(value_.c_str(), &end, 10);
    if (end == value_.c_str() || *end) prog_.usage("not a number: " + value_);
    return static_cast<std::size_t>(x);
  }

  /// The value as a floating-point number (atof: no check).
  [[nodiscard]] double real() const { return std::atof(value_.c_str()); }

  /// What `choices` maps the value to; for any other value, the usage with `hint`.
  template <class T>
  [[nodiscard]] T choice(std::initializer_list<std::pair<std::string_view, T>> choices, char const* hint) const {
    for (auto const& [text, result] : choices)
      if (value_ == text) return result;
    prog_.usage(hint);
  }

 private:
  program const& prog_;
  std::string name_, value_;
};

/// Calls `on_arg(arg)` for every `--name value` pair of the command line, in order; `on_arg`
/// returns false for a name it does not know.
template <class F>
void scan(program const& prog, int argc, char** argv, F&& on_arg) {
  for (int i = 1; i < argc; ++i) {
    std::string const a = argv[i];
    if (a == "-h" || a == "--help") prog.usage("help");
    if (i + 1 >= argc) prog.usage("missing value after " + a);
    if (!on_arg(arg(prog, a, argv[++i]))) prog.usage("unknown option " + a);
  }
}

/// The options every example that runs on a dp x tp mesh takes, into the fields of `o` of the same
/// names: --dp, --tp, --steps, --seed, and --runtime threads|mpi (into `mpi`). False for any other.
template <class Options>
bool mesh_arg(arg const& a, Options& o) {
  if (a.is("--dp"))
    o.dp = a.number();
  else if (a.is("--tp"))
    o.tp = a.number();
  else if (a.is("--steps"))
    o.steps = a.number();
  else if (a.is("--seed"))
    o.seed = a.number();
  else if (a.is("--runtime"))
    o.mpi = a.choice<bool>({{"mpi", true}, {"threads", false}}, "--runtime threads|mpi");
  else
    return false;
  return true;
}

}  // namespace examples
