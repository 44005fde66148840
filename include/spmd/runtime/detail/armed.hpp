// spmd/runtime/detail/armed.hpp - the guard that marks a rank as inside a collective for its
// runtime's watchdog (the MPI and c10d runtimes each have one). Private to the runtimes.
#pragma once

namespace spmd::runtime::detail {

/// Arms a watchdog (if there is one) for its lifetime: dog->begin(args...) on construction,
/// dog->end() on destruction. What `args` point to must outlive it.
template <class Watchdog>
class armed {
 public:
  template <class... Args>
  explicit armed(Watchdog* dog, Args... args) noexcept : dog_(dog) {
    if (dog_ != nullptr) dog_->begin(args...);
  }
  ~armed() {
    if (dog_ != nullptr) dog_->end();
  }
  armed(armed const&) = delete;
  armed& operator=(armed const&) = delete;

 private:
  Watchdog* dog_;
};

}  // namespace spmd::runtime::detail
