// spmd/comm.hpp - the typed collectives, convert and reinterpret, redistribute, and their backward
// op types.
#pragma once

#include <spmd/comm/arguments.hpp>
#include <spmd/comm/axes.hpp>
#include <spmd/comm/backward.hpp>
#include <spmd/comm/collectives.hpp>
#include <spmd/comm/convert.hpp>
#include <spmd/comm/ops.hpp>
#include <spmd/comm/redistribute.hpp>
