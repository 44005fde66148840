// spmd/autograd.hpp - typed reverse-mode autograd: variables, parameters, differentiable ops and
// collectives, backward().
#pragma once

#include <spmd/autograd/as_grad.hpp>
#include <spmd/autograd/backward.hpp>
#include <spmd/autograd/collectives.hpp>
#include <spmd/autograd/local_map.hpp>
#include <spmd/autograd/ops.hpp>
#include <spmd/autograd/ops_einsum.hpp>
#include <spmd/autograd/ops_shape.hpp>
#include <spmd/autograd/tape.hpp>
