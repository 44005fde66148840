// Sets an environment variable for the lifetime of an object (the runtimes read theirs when
// run() starts), for the runtime unit tests.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>

namespace spmd_tests {

class scoped_env {
 public:
  scoped_env(char const* name, char const* value) : name_(name) {
    if (char const* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~scoped_env() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }
  scoped_env(scoped_env const&) = delete;
  scoped_env& operator=(scoped_env const&) = delete;

 private:
  char const* name_;
  std::optional<std::string> old_;
};

}  // namespace spmd_tests
