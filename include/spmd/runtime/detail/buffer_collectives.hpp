// spmd/runtime/detail/buffer_collectives.hpp - the public face of a runtime's communicator, the
// same on every runtime: the float and double overloads of the collectives of spmd::communicator
// (with their notes for the error messages), each forwarding to the runtime's one template per
// collective. A runtime's communicator derives from it (CRTP: no virtual call, everything inlined)
// and befriends it. Private to the runtimes.
#pragma once

#include <cstddef>
#include <span>

#include <spmd/runtime/communicator.hpp>

namespace spmd::runtime::detail {

/// The collectives of spmd::communicator on float and double buffers; `Derived` provides, as
/// templates over the element type T, all_reduce_impl(data, shape), reduce_scatter_impl(in, out,
/// counts, note, shape), all_gather_impl(in, out, counts, note, shape), all_to_all_impl(send,
/// send_counts, recv, recv_counts, send_note, recv_note, shape) and broadcast_impl(data, root).
template <class Derived>
class buffer_collectives {
 public:
  /// In place, element-wise sum over the group. `shape` (from the typed collectives): the tensor
  /// behind `data`; with the agreement check, every rank must hold the same shape.
  void all_reduce_sum(std::span<float> data, shape_note const& shape = {}) { self().all_reduce_impl(data, shape); }
  void all_reduce_sum(std::span<double> data, shape_note const& shape = {}) { self().all_reduce_impl(data, shape); }

  /// `in` is the concatenation of size() blocks, block i has counts[i] elements; `out`
  /// (counts[rank()] elements) gets the sum over the group of block rank(). `out` may be exactly
  /// this rank's block of `in`. `note` (from the typed collectives) says what the counts count,
  /// for the error messages; `shape`, the tensor behind `in`.
  void reduce_scatter_sum(std::span<float const> in, std::span<float> out, std::span<std::size_t const> counts,
                          split_note const& note = {}, shape_note const& shape = {}) {
    self().reduce_scatter_impl(in, out, counts, note, shape);
  }
  void reduce_scatter_sum(std::span<double const> in, std::span<double> out, std::span<std::size_t const> counts,
                          split_note const& note = {}, shape_note const& shape = {}) {
    self().reduce_scatter_impl(in, out, counts, note, shape);
  }

  /// `in` is this rank's block (counts[rank()] elements); `out` gets all blocks concatenated in
  /// rank order (sum(counts) elements). `in` may be exactly this rank's block of `out`.
  void all_gather(std::span<float const> in, std::span<float> out, std::span<std::size_t const> counts,
                  split_note const& note = {}, shape_note const& shape = {}) {
    self().all_gather_impl(in, out, counts, note, shape);
  }
  void all_gather(std::span<double const> in, std::span<double> out, std::span<std::size_t const> counts,
                  split_note const& note = {}, shape_note const& shape = {}) {
    self().all_gather_impl(in, out, counts, note, shape);
  }

  /// Send block j (send_counts[j] elements) goes to rank j; recv block i (recv_counts[i]
  /// elements) came from rank i. send and recv must not overlap. The notes say what the counts
  /// count (the split of the send and of the receive side), for the error messages.
  void all_to_all(std::span<float const> send, std::span<std::size_t const> send_counts, std::span<float> recv,
                  std::span<std::size_t const> recv_counts, split_note const& send_note = {},
                  split_note const& recv_note = {}, shape_note const& shape = {}) {
    self().all_to_all_impl(send, send_counts, recv, recv_counts, send_note, recv_note, shape);
  }
  void all_to_all(std::span<double const> send, std::span<std::size_t const> send_counts, std::span<double> recv,
                  std::span<std::size_t const> recv_counts, split_note const& send_note = {},
                  split_note const& recv_note = {}, shape_note const& shape = {}) {
    self().all_to_all_impl(send, send_counts, recv, recv_counts, send_note, recv_note, shape);
  }

  /// Root's `data` to every rank, in place.
  void broadcast(std::span<float> data, std::size_t root) { self().broadcast_impl(data, root); }
  void broadcast(std::span<double> data, std::size_t root) { self().broadcast_impl(data, root); }

 protected:
  buffer_collectives() = default;
  ~buffer_collectives() = default;

 private:
  [[nodiscard]] Derived& self() noexcept { return static_cast<Derived&>(*this); }
};

}  // namespace spmd::runtime::detail
