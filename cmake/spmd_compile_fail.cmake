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

cmake_minimum_required(VERSION 3.21)

set(_max_lines 40)

foreach(v SPMD_CF_SOURCE SPMD_CF_FLAGS_FILE)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "spmd_compile_fail.cmake: ${v} not set")
  endif()
endforeach()
if(NOT EXISTS "${SPMD_CF_FLAGS_FILE}")
  message(FATAL_ERROR "spmd_compile_fail.cmake: flags file '${SPMD_CF_FLAGS_FILE}' missing (re-run cmake)")
endif()
include("${SPMD_CF_FLAGS_FILE}")

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
separate_arguments(_cxx_flags UNIX_COMMAND "${SPMD_CF_CXX_FLAGS}")
set(_cmd "${SPMD_CF_COMPILER}" ${_cxx_flags})

foreach(d IN LISTS SPMD_CF_DEFINITIONS)
  if(NOT d STREQUAL "")
    list(APPEND _cmd "-D${d}")
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
    list(APPEND _cmd "-I${dir}")
  else()
    list(APPEND _cmd -isystem "${dir}")
  endif()
endforeach()

foreach(opt IN LISTS SPMD_CF_OPTIONS)
  if(opt MATCHES "^SHELL:(.*)$")
    separate_arguments(_sh UNIX_COMMAND "${CMAKE_MATCH_1}")
    list(APPEND _cmd ${_sh})
  elseif(NOT opt STREQUAL "")
    list(APPEND _cmd "${opt}")
  endif()
endforeach()
if(NOT SPMD_CF_STD_FLAG STREQUAL "")
  list(APPEND _cmd "${SPMD_CF_STD_FLAG}")
endif()
if(SPMD_CF_COMPILER_ID MATCHES "GNU|Clang")
  list(APPEND _cmd -fdiagnostics-color=never -fsyntax-only)
endif()
list(APPEND _cmd "${SPMD_CF_SOURCE}")

get_filename_component(_dir "${SPMD_CF_SOURCE}" DIRECTORY)
execute_process(
  COMMAND ${_cmd}
  WORKING_DIRECTORY "${_dir}"
  RESULT_VARIABLE _rc
  OUTPUT_VARIABLE _out
  ERROR_VARIABLE _out)

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
