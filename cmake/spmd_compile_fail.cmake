# Runs one compile-fail case:  cmake -DSPMD_CF_SOURCE=<file.cpp>
#                                    -DSPMD_CF_FLAGS_FILE=<compile_fail_flags-CONFIG.cmake>
#                                    -P spmd_compile_fail.cmake
#
# The first line of <file.cpp> must be   // expect: <CMake regex>
# PASS  iff the compile fails AND its (stdout+stderr) output matches the regex.
#       The regex is searched in the whole output ('.' matches newlines in
#       CMake regexes), then in the output with clang's escaping of string
#       literals undone (clang prints static_assert messages as \"...\"),
#       then in that with every run of whitespace collapsed to one space (so a
#       message wrapped across lines still matches "a b").
# FAIL  otherwise; prints the expected regex, the command and the first
#       lines of the compiler output.
# Safe under ctest -j: only runs the compiler with -fsyntax-only.
#
# Precompiled headers (g++ and clang++): most of a case's time is parsing the library's headers.
# With -DSPMD_CF_PCH_DIR=<dir>, a case whose FIRST #include is one of the headers precompiled
# there uses the precompiled form, which is exactly that header (g++ finds <dir>/gcc/<h>.gch
# before <h> on the include path and takes it only as a TU's first include; clang++ gets
# -include-pch <dir>/clang/<h>.pch, which includes <h> ahead of the case, whose own include of it
# is then a no-op). The precompiled headers are built by the same script in the other mode:
#   cmake -DSPMD_CF_BUILD_PCH=ON -DSPMD_CF_PCH_DIR=<dir> -DSPMD_CF_PCH_HEADERS="spmd/spmd.hpp;..."
#         -DSPMD_CF_FLAGS_FILE=<...> -P spmd_compile_fail.cmake
# (the fixture test compile_fail.pch, run before the cases), with the cases' own flags.

cmake_minimum_required(VERSION 3.21)

set(_max_lines 40)

set(_required SPMD_CF_FLAGS_FILE)
if(NOT SPMD_CF_BUILD_PCH)
  list(APPEND _required SPMD_CF_SOURCE)
endif()
foreach(v IN LISTS _required)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "spmd_compile_fail.cmake: ${v} not set")
  endif()
endforeach()
if(NOT EXISTS "${SPMD_CF_FLAGS_FILE}")
  message(FATAL_ERROR "spmd_compile_fail.cmake: flags file '${SPMD_CF_FLAGS_FILE}' missing (re-run cmake)")
endif()
include("${SPMD_CF_FLAGS_FILE}")

# The compiler command without the source: the real tests' flags, in CMake's order.
macro(_spmd_cf_command out)
  separate_arguments(_cxx_flags UNIX_COMMAND "${SPMD_CF_CXX_FLAGS}")
  set(${out} "${SPMD_CF_COMPILER}" ${_cxx_flags})
  foreach(d IN LISTS SPMD_CF_DEFINITIONS)
    if(NOT d STREQUAL "")
      list(APPEND ${out} "-D${d}")
    endif()
  endforeach()
  foreach(dir IN LISTS SPMD_CF_INCLUDE_DIRS)
    if(dir STREQUAL "" OR dir IN_LIST SPMD_CF_IMPLICIT_INCLUDE_DIRS)
      continue()
    endif()
    set(_own FALSE)
    foreach(p IN LISTS SPMD_CF_PROJECT_DIRS)
      string(FIND "${dir}/" "${p}/" _pos)
      if(_pos EQUAL 0)
        set(_own TRUE)
      endif()
    endforeach()
    if(_own)
      list(APPEND ${out} "-I${dir}")
    else()
      list(APPEND ${out} -isystem "${dir}")
    endif()
  endforeach()
  foreach(opt IN LISTS SPMD_CF_OPTIONS)
    if(opt MATCHES "^SHELL:(.*)$")
      separate_arguments(_sh UNIX_COMMAND "${CMAKE_MATCH_1}")
      list(APPEND ${out} ${_sh})
    elseif(NOT opt STREQUAL "")
      list(APPEND ${out} "${opt}")
    endif()
  endforeach()
  if(NOT SPMD_CF_STD_FLAG STREQUAL "")
    list(APPEND ${out} "${SPMD_CF_STD_FLAG}")
  endif()
endmacro()

# --- mode 2: build the precompiled headers -------------------------------------
if(SPMD_CF_BUILD_PCH)
  if(NOT SPMD_CF_COMPILER_ID MATCHES "GNU|Clang")
    message(STATUS "compile-fail: no precompiled headers for ${SPMD_CF_COMPILER_ID}")
    return()
  endif()
  _spmd_cf_command(_base)
  foreach(h IN LISTS SPMD_CF_PCH_HEADERS)
    # A wrapper that includes the header: compiling the header itself would warn about
    # '#pragma once in main file'.
    string(MAKE_C_IDENTIFIER "${h}" _id)
    set(_wrapper "${SPMD_CF_PCH_DIR}/src/${_id}.hpp")
    file(WRITE "${_wrapper}" "#include <${h}>\n")
    if(SPMD_CF_COMPILER_ID STREQUAL "GNU")
      set(_out "${SPMD_CF_PCH_DIR}/gcc/${h}.gch")
    else()
      set(_out "${SPMD_CF_PCH_DIR}/clang/${h}.pch")
    endif()
    get_filename_component(_out_dir "${_out}" DIRECTORY)
    file(MAKE_DIRECTORY "${_out_dir}")
    execute_process(COMMAND ${_base} -x c++-header "${_wrapper}" -o "${_out}.tmp"
                    RESULT_VARIABLE _rc OUTPUT_VARIABLE _o ERROR_VARIABLE _o)
    if(NOT _rc EQUAL 0)
      file(REMOVE "${_out}.tmp")
      message(FATAL_ERROR "compile-fail: precompiling <${h}> failed:\n${_o}")
    endif()
    file(RENAME "${_out}.tmp" "${_out}")  # never a half-written one for a case to find
    if(SPMD_CF_COMPILER_ID STREQUAL "GNU")
      # g++, having found <h>.gch in this directory, opens <h> from the same directory when the
      # precompiled form does not apply (an include that is not the first): a forwarder to the
      # real header.
      set(_real "")
      foreach(dir IN LISTS SPMD_CF_INCLUDE_DIRS)
        if(_real STREQUAL "" AND EXISTS "${dir}/${h}")
          set(_real "${dir}/${h}")
        endif()
      endforeach()
      if(_real STREQUAL "")
        message(FATAL_ERROR "compile-fail: <${h}> is not in the include directories")
      endif()
      file(WRITE "${SPMD_CF_PCH_DIR}/gcc/${h}" "// Generated: the header itself, where its precompiled form does not apply.\n#include \"${_real}\"\n")
    endif()
    message(STATUS "compile-fail: precompiled <${h}>")
  endforeach()
  return()
endif()

# --- the expectation ---------------------------------------------------------
file(READ "${SPMD_CF_SOURCE}" _head LIMIT 4096)
string(FIND "${_head}" "\n" _nl)
if(_nl GREATER -1)
  string(SUBSTRING "${_head}" 0 ${_nl} _first)
else()
  set(_first "${_head}")
endif()
string(REGEX REPLACE "\r$" "" _first "${_first}")
string(REGEX MATCH "^//[ \t]*expect:[ \t]*" _prefix "${_first}")
if(_prefix STREQUAL "")
  message(FATAL_ERROR
    "compile-fail case ${SPMD_CF_SOURCE}:\n"
    "  the FIRST line must be   // expect: <regex>\n"
    "  found:                   ${_first}")
endif()
string(LENGTH "${_prefix}" _plen)
string(SUBSTRING "${_first}" ${_plen} -1 _expect)
string(STRIP "${_expect}" _expect)
if(_expect STREQUAL "")
  message(FATAL_ERROR "compile-fail case ${SPMD_CF_SOURCE}: empty regex after '// expect:'")
endif()

# --- the command (same flags as the real tests, in CMake's order) ----------
_spmd_cf_command(_cmd)
# The precompiled form of the case's first #include, if there is one (see the top).
if(DEFINED SPMD_CF_PCH_DIR AND SPMD_CF_COMPILER_ID MATCHES "GNU|Clang")
  file(STRINGS "${SPMD_CF_SOURCE}" _includes REGEX "^[ \t]*#[ \t]*include")
  list(GET _includes 0 _first_include)
  if(_first_include MATCHES "^[ \t]*#[ \t]*include[ \t]*<([^>]+)>")
    set(_h "${CMAKE_MATCH_1}")
    if(SPMD_CF_COMPILER_ID STREQUAL "GNU" AND EXISTS "${SPMD_CF_PCH_DIR}/gcc/${_h}.gch")
      set(_pch_args "-I${SPMD_CF_PCH_DIR}/gcc")  # searched first: <h>.gch before <h>
    elseif(SPMD_CF_COMPILER_ID STREQUAL "Clang" AND EXISTS "${SPMD_CF_PCH_DIR}/clang/${_h}.pch")
      set(_pch_args -include-pch "${SPMD_CF_PCH_DIR}/clang/${_h}.pch")
    endif()
  endif()
endif()
set(_tail "")
if(SPMD_CF_COMPILER_ID MATCHES "GNU|Clang")
  list(APPEND _tail -fdiagnostics-color=never -fsyntax-only)
endif()
list(APPEND _tail "${SPMD_CF_SOURCE}")

get_filename_component(_dir "${SPMD_CF_SOURCE}" DIRECTORY)
set(_plain_cmd ${_cmd} ${_tail})
if(DEFINED _pch_args)
  list(GET _cmd 0 _compiler)
  list(SUBLIST _cmd 1 -1 _flags)
  set(_cmd ${_compiler} ${_pch_args} ${_flags} ${_tail})
else()
  set(_cmd ${_plain_cmd})
endif()
execute_process(
  COMMAND ${_cmd}
  WORKING_DIRECTORY "${_dir}"
  RESULT_VARIABLE _rc
  OUTPUT_VARIABLE _out
  ERROR_VARIABLE _out)
# A compiler that crashes reading the precompiled header back (clang 14 does on some lambdas in
# decltype) says nothing about the case: compile it again from the headers.
if(DEFINED _pch_args AND (NOT _rc MATCHES "^[01]$" OR _out MATCHES "PLEASE submit a bug report"))
  set(_cmd ${_plain_cmd})
  execute_process(
    COMMAND ${_cmd}
    WORKING_DIRECTORY "${_dir}"
    RESULT_VARIABLE _rc
    OUTPUT_VARIABLE _out
    ERROR_VARIABLE _out)
endif()

string(JOIN " " _cmd_str ${_cmd})

# First _max_lines lines of the output, for the failure report.
function(_spmd_head text n out_var)
  set(_res "")
  set(_rest "${text}")
  set(_i 0)
  while(_i LESS n AND NOT _rest STREQUAL "")
    string(FIND "${_rest}" "\n" _p)
    if(_p EQUAL -1)
      string(APPEND _res "    ${_rest}\n")
      set(_rest "")
    else()
      string(SUBSTRING "${_rest}" 0 ${_p} _line)
      math(EXPR _p "${_p} + 1")
      string(SUBSTRING "${_rest}" ${_p} -1 _rest)
      string(APPEND _res "    ${_line}\n")
    endif()
    math(EXPR _i "${_i} + 1")
  endwhile()
  if(_res STREQUAL "")
    set(_res "    (no output)\n")
  endif()
  if(NOT _rest STREQUAL "")
    string(APPEND _res "    [... output truncated after ${n} lines ...]\n")
  endif()
  set(${out_var} "${_res}" PARENT_SCOPE)
endfunction()

if(NOT _rc MATCHES "^[0-9]+$")
  message(FATAL_ERROR "compile-fail case ${SPMD_CF_SOURCE}: could not run the compiler (${_rc})\n  command: ${_cmd_str}")
endif()

if(_rc EQUAL 0)
  _spmd_head("${_out}" ${_max_lines} _shown)
  message(FATAL_ERROR
    "compile-fail case ${SPMD_CF_SOURCE}\n"
    "  FAILED: the file COMPILED, but it must fail with output matching:\n"
    "    ${_expect}\n"
    "  command: ${_cmd_str}\n"
    "  compiler output (first ${_max_lines} lines):\n${_shown}")
endif()

# Candidates, in order: the raw output; with clang's escaping of string
# literals in static_assert messages undone (\" -> ", \\ -> \); the latter
# with whitespace runs collapsed.
set(_matched FALSE)
string(REPLACE "\\\"" "\"" _unesc "${_out}")
string(REPLACE "\\\\" "\\" _unesc "${_unesc}")
string(REGEX REPLACE "[ \t\r\n]+" " " _flat "${_unesc}")
foreach(_cand _out _unesc _flat)
  if(${_cand} MATCHES "${_expect}")
    set(_matched TRUE)
    break()
  endif()
endforeach()
set(_m "${CMAKE_MATCH_0}")

if(NOT _matched)
  _spmd_head("${_out}" ${_max_lines} _shown)
  message(FATAL_ERROR
    "compile-fail case ${SPMD_CF_SOURCE}\n"
    "  FAILED: compilation failed (exit ${_rc}) but the output does not match the expected regex:\n"
    "    ${_expect}\n"
    "  command: ${_cmd_str}\n"
    "  compiler output (first ${_max_lines} lines):\n${_shown}")
endif()

# A catalogued mistake ("// catalogue:" in the file's first lines) must also give ONE error: the
# first "error:" line holds the spmd: message, and (with g++) the whole output is at most
# SPMD_CF_CATALOGUE_MAX_LINES lines.
set(SPMD_CF_CATALOGUE_MAX_LINES 25)
string(FIND "${_head}" "// catalogue:" _cat)
if(_cat GREATER -1)
  string(REGEX MATCH "[^\n]*: error: [^\n]*" _first_error "${_out}")
  if(NOT _first_error MATCHES "spmd: ")
    _spmd_head("${_out}" ${_max_lines} _shown)
    message(FATAL_ERROR
      "compile-fail case ${SPMD_CF_SOURCE}\n"
      "  FAILED: a catalogued mistake must fail with the spmd: message first, but the first error is:\n"
      "    ${_first_error}\n"
      "  compiler output (first ${_max_lines} lines):\n${_shown}")
  endif()
  string(REGEX MATCHALL "\n" _newlines "${_out}")
  list(LENGTH _newlines _nlines)
  if(SPMD_CF_COMPILER_ID STREQUAL "GNU" AND _nlines GREATER SPMD_CF_CATALOGUE_MAX_LINES)
    _spmd_head("${_out}" 60 _shown)
    message(FATAL_ERROR
      "compile-fail case ${SPMD_CF_SOURCE}\n"
      "  FAILED: a catalogued mistake must give at most ${SPMD_CF_CATALOGUE_MAX_LINES} lines of g++ output, "
      "it gave ${_nlines}:\n${_shown}")
  endif()
  message("catalogue: first error is spmd:, ${_nlines} lines of output")
endif()

string(LENGTH "${_m}" _mlen)
if(_mlen GREATER 200)
  string(SUBSTRING "${_m}" 0 200 _m)
  string(APPEND _m "...")
endif()
message("compile-fail OK: ${SPMD_CF_SOURCE}\n  failed as expected (exit ${_rc}); matched /${_expect}/: ${_m}")
