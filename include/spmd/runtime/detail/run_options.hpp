// spmd/runtime/detail/run_options.hpp - the run-time options that the process runtimes (MPI,
// c10d) read from the environment, parsed the same way by both: a flag (SPMD_MPI_CHECK,
// SPMD_DIST_CHECK) and a number of seconds (SPMD_MPI_TIMEOUT, SPMD_DIST_TIMEOUT). Private to the
// runtimes.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace spmd::runtime::detail {

/// A flag from the environment: "1", "true", "yes", "on" (any case) are true, anything else false.
[[nodiscard]] inline bool env_flag(char const* name) noexcept {
  char const* v = std::getenv(name);
  if (v == nullptr) return false;
  std::string s(v);
  for (auto& ch : s) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  return s == "1" || s == "true" || s == "yes" || s == "on";
}

/// Seconds from the environment, a decimal number (absent, empty, "0" or "inf": no timeout, 0);
/// anything else (text, a negative number, NaN) throws std::invalid_argument rather than silently
/// running without the timeout the user asked for.
[[nodiscard]] inline double env_seconds(char const* name) {
  char const* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return 0.0;
  char* end = nullptr;
  double const s = std::strtod(v, &end);
  while (end != v && *end == ' ') ++end;
  if (end == v || *end != '\0' || std::isnan(s) || s < 0.0)
    throw std::invalid_argument("spmd: " + std::string(name) + "='" + v + "' is not a number of seconds; use e.g. " +
                                name + "=30, or 0 or inf for no timeout");
  return std::isinf(s) ? 0.0 : s;
}

/// Timeouts longer than this (about 31 years) mean no timeout: the watchdogs' clocks count
/// nanoseconds in 64 bits, which 1e10 s would overflow.
inline constexpr double max_timeout_seconds = 1e9;

/// The watchdog limit for a runtime's options::timeout_seconds: 0 (no watchdog) for 0, +inf and
/// anything above max_timeout_seconds; std::invalid_argument for a negative value or NaN, naming
/// the runtime (`who`: "mpi::run", "dist::run").
[[nodiscard]] inline double effective_timeout(double seconds, char const* who) {
  if (std::isnan(seconds) || seconds < 0.0) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", seconds);
    throw std::invalid_argument("spmd: " + std::string(who) + ": options::timeout_seconds is " + std::string(text) +
                                "; use a number of seconds > 0, or 0 or infinity for no timeout");
  }
  return seconds > max_timeout_seconds ? 0.0 : seconds;
}

}  // namespace spmd::runtime::detail
