# package.find_package: install the current build of spmd into a fresh prefix,
# then configure, build and run tests/package (an outside project doing
# find_package(spmd 0.1 REQUIRED)) with the same compiler; then again with
# find_package(spmd 0.1 REQUIRED COMPONENTS core) and Boost and Eigen hidden.
#
#   cmake -DSPMD_BUILD_DIR=... -DSPMD_PACKAGE_SOURCE_DIR=... -DSPMD_WORK_DIR=...
#         -DSPMD_CXX_COMPILER=... [-DSPMD_GENERATOR=...] [-DSPMD_BUILD_TYPE=...]
#         [-DSPMD_INSTALL_CMAKEDIR=lib/cmake/spmd] -P spmd_package_test.cmake

cmake_minimum_required(VERSION 3.21)

foreach(v SPMD_BUILD_DIR SPMD_PACKAGE_SOURCE_DIR SPMD_WORK_DIR SPMD_CXX_COMPILER)
  if(NOT DEFINED ${v} OR "${${v}}" STREQUAL "")
    message(FATAL_ERROR "spmd_package_test.cmake: ${v} not set")
  endif()
endforeach()
if(NOT SPMD_BUILD_TYPE)
  set(SPMD_BUILD_TYPE Release)
endif()

set(_prefix "${SPMD_WORK_DIR}/prefix")
set(_build "${SPMD_WORK_DIR}/build")
file(REMOVE_RECURSE "${SPMD_WORK_DIR}")
file(MAKE_DIRECTORY "${SPMD_WORK_DIR}")

function(_spmd_step what)
  message("== ${what}")
  execute_process(COMMAND ${ARGN}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  message("${out}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "package test: step '${what}' failed (${rc})")
  endif()
  set(_last_output "${out}" PARENT_SCOPE)
endfunction()

_spmd_step("install spmd into ${_prefix}"
  "${CMAKE_COMMAND}" --install "${SPMD_BUILD_DIR}" --prefix "${_prefix}" --config "${SPMD_BUILD_TYPE}")

set(_gen_args "")
if(SPMD_GENERATOR)
  set(_gen_args -G "${SPMD_GENERATOR}")
endif()
set(_expected_dir "")
if(SPMD_INSTALL_CMAKEDIR)
  set(_expected_dir "-DSPMD_EXPECTED_DIR=${_prefix}/${SPMD_INSTALL_CMAKEDIR}")
endif()

# Configures, builds and runs tests/package in build dir `dir`; `apps` are the programs it must
# build, each printing "<expect>"; further arguments go to the configure step.
function(_spmd_consumer dir)
  cmake_parse_arguments(PARSE_ARGV 1 _c "" "" "APPS;EXPECT;ARGS")
  _spmd_step("configure tests/package in ${dir}"
    "${CMAKE_COMMAND}" -S "${SPMD_PACKAGE_SOURCE_DIR}" -B "${dir}" ${_gen_args}
      "-DCMAKE_CXX_COMPILER=${SPMD_CXX_COMPILER}"
      "-DCMAKE_BUILD_TYPE=${SPMD_BUILD_TYPE}"
      "-DCMAKE_PREFIX_PATH=${_prefix}"
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
      -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF
      ${_expected_dir} ${_c_ARGS})

  _spmd_step("build tests/package in ${dir}"
    "${CMAKE_COMMAND}" --build "${dir}" --config "${SPMD_BUILD_TYPE}")

  foreach(app expect IN ZIP_LISTS _c_APPS _c_EXPECT)
    set(_exe "${dir}/${app}")
    if(NOT EXISTS "${_exe}")
      set(_exe "${dir}/${SPMD_BUILD_TYPE}/${app}")
    endif()
    _spmd_step("run the installed-package app ${app}" "${_exe}")
    if(NOT _last_output MATCHES "${expect}")
      message(FATAL_ERROR "package test: unexpected output from ${_exe}")
    endif()
  endforeach()
endfunction()

# Both targets, every dependency.
_spmd_consumer("${_build}"
  APPS spmd_package_app spmd_package_core_app
  EXPECT "spmd package test OK" "spmd core package test OK")

# spmd::core alone, with Boost and Eigen out of reach: the core component must not need them.
_spmd_consumer("${_build}-core"
  APPS spmd_package_core_app
  EXPECT "spmd core package test OK"
  ARGS -DSPMD_PACKAGE_CORE_ONLY=ON
       -DCMAKE_DISABLE_FIND_PACKAGE_Boost=ON
       -DCMAKE_DISABLE_FIND_PACKAGE_Eigen3=ON
       --no-warn-unused-cli)  # those two stay unused when nothing looks for Boost or Eigen

message("package.find_package: OK (prefix ${_prefix})")
