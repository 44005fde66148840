// spmd/core/type_name.hpp - forwarding header (deprecated): the printable names of placements and
// layouts are in <spmd/core/printed_names.hpp>; include that instead.
#pragma once

#include <spmd/core/printed_names.hpp>
