# SPDX-License-Identifier: MIT
# A -DPAGEBENCH_NATIVE=ON build says so in what meta.json's build records
# (config.h's PB_C_FLAGS and PB_FEATURES, written verbatim by
# harness/meta.c: test_meta_machine reads them back): -march=native in the
# flags and native[=CPU] in the features.  The build under test (NATIVE,
# its config.h THIS_CONFIG) has them exactly when it is native.
# Run with cmake -DSRC=... -DWORK=... -DCC=... -DNATIVE=... -DTHIS_CONFIG=... -P
foreach(v SRC WORK CC NATIVE THIS_CONFIG)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "check_native_flags: -D${v}= not given")
  endif()
endforeach()

# config.h's PB_C_FLAGS and PB_FEATURES: does each name a native build?
function(native_in config flags_out features_out)
  file(STRINGS "${config}" lines REGEX "^#define PB_(C_FLAGS|FEATURES) ")
  set(flags 0)
  set(features 0)
  foreach(l IN LISTS lines)
    if(l MATCHES "^#define PB_C_FLAGS \".*-march=native")
      set(flags 1)
    endif()
    if(l MATCHES "^#define PB_FEATURES \"(.*;)?native(=[^;\"]+)?[;\"]")
      set(features 1)
    endif()
  endforeach()
  set(${flags_out} ${flags} PARENT_SCOPE)
  set(${features_out} ${features} PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK}")
execute_process(
  COMMAND ${CMAKE_COMMAND} -S "${SRC}" -B "${WORK}" -DCMAKE_C_COMPILER=${CC}
          -DCMAKE_BUILD_TYPE=Release -DPAGEBENCH_NATIVE=ON -DPAGEBENCH_TESTS=OFF
  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring with PAGEBENCH_NATIVE=ON failed: ${err}")
endif()
native_in("${WORK}/generated/pagebench/config.h" flags features)
file(REMOVE_RECURSE "${WORK}")
if(NOT flags OR NOT features)
  message(FATAL_ERROR "a PAGEBENCH_NATIVE=ON build records no -march=native "
                      "(PB_C_FLAGS: ${flags}) or no native feature (PB_FEATURES: ${features})")
endif()

if(NATIVE)
  set(want 1)
else()
  set(want 0)
endif()
native_in("${THIS_CONFIG}" flags features)
if(NOT flags EQUAL want OR NOT features EQUAL want)
  message(FATAL_ERROR "this build (PAGEBENCH_NATIVE=${NATIVE}) records -march=native ${flags}, "
                      "the native feature ${features}")
endif()
message(STATUS "native builds are told apart: -march=native and native in the features")
