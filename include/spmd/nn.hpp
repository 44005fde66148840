// spmd/nn.hpp - Megatron-style layers on the typed tensors: column/row-parallel linear layers
// with and without sequence parallelism, vocab-parallel embedding and cross entropy, layer norm,
// attention and MLP blocks, a small GPT, SGD/AdamW and data-parallel gradient synchronisation
// (all-reduce, or ZeRO-1 with the optimizer state sharded over dp). See docs/nn.md.
#pragma once

#include <spmd/nn/attention.hpp>
#include <spmd/nn/cross_entropy.hpp>
#include <spmd/nn/data_parallel.hpp>
#include <spmd/nn/embedding.hpp>
#include <spmd/nn/gpt.hpp>
#include <spmd/nn/init.hpp>
#include <spmd/nn/layer_norm.hpp>
#include <spmd/nn/linear.hpp>
#include <spmd/nn/mlp.hpp>
#include <spmd/nn/optimizer.hpp>
#include <spmd/nn/transformer.hpp>
#include <spmd/nn/types.hpp>
