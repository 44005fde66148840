// spmd/runtime/comm_error.hpp - the exception every collective throws when it cannot complete.
//
// A collective fails as a group: when one rank's call cannot complete (another rank failed or
// finished, or the ranks disagree about sizes or counts), every rank of the group gets a
// comm_error, never a hang. The message names the operation, the group and the rank at fault.
#pragma once

#include <cstddef>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace spmd {

struct comm_error : std::runtime_error {
  /// Why the collective could not complete.
  enum class reason {
    rank_failed,    ///< another rank threw; cause() holds its exception
    rank_finished,  ///< another rank of the group returned from its function and will never join
    mismatch,       ///< the ranks disagree (operation, element type, sizes, counts, root)
    deadlock,       ///< every rank has finished or waits in a collective that cannot complete
  };

  comm_error(std::string const& message, reason why, std::optional<std::size_t> rank = std::nullopt,
             std::exception_ptr cause = nullptr)
      : std::runtime_error(message), why_(why), rank_(rank), cause_(std::move(cause)) {}

  /// Why the collective failed.
  [[nodiscard]] reason why() const noexcept { return why_; }
  /// Index in the whole mesh of the rank at fault (the one that failed, finished or passed the
  /// first disagreeing argument), if known.
  [[nodiscard]] std::optional<std::size_t> rank() const noexcept { return rank_; }
  /// The original exception of the failed rank (reason::rank_failed), otherwise null.
  [[nodiscard]] std::exception_ptr const& cause() const noexcept { return cause_; }

 private:
  reason why_;
  std::optional<std::size_t> rank_;
  std::exception_ptr cause_;
};

}  // namespace spmd
