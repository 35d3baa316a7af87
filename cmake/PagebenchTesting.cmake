# Test helpers.  Labels: unit, stress, fuzz (never benchmarks).
# A test that cannot run here (needs a PMU, several NUMA nodes, a device)
# exits 77 and is reported as skipped, never as passed.

# pb_add_test(NAME n SOURCES a.c b.c LABELS unit [ARGS ...] [TIMEOUT s] [ENV K=V ...])
function(pb_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LABELS;ARGS;ENV" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE pbcore)
  target_include_directories(${T_NAME} PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  add_test(NAME ${T_NAME} COMMAND ${T_NAME} ${T_ARGS})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
                       SKIP_RETURN_CODE 77 ENVIRONMENT "${T_ENV}")
endfunction()

# pb_add_fuzz(NAME n SOURCES fuzz_x.c [CORPUS dir])
# With PAGEBENCH_LIBFUZZER (clang): a libFuzzer binary run for a bounded
# time.  Otherwise: the same LLVMFuzzerTestOneInput linked with
# tests/fuzz_driver.c, which replays the corpus and a bounded number of
# seeded random mutations of it (deterministic, no libFuzzer needed).
set(PB_FUZZ_SECONDS 20 CACHE STRING "Seconds each libFuzzer target runs in ctest")
function(pb_add_fuzz)
  cmake_parse_arguments(F "" "NAME;CORPUS" "SOURCES" ${ARGN})
  if(PAGEBENCH_LIBFUZZER)
    add_executable(${F_NAME} ${F_SOURCES})
    target_link_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
    set(_args -max_total_time=${PB_FUZZ_SECONDS} -rss_limit_mb=2048 -timeout=10)
    if(F_CORPUS)
      file(MAKE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/${F_NAME}.corpus)
      list(APPEND _args ${CMAKE_CURRENT_BINARY_DIR}/${F_NAME}.corpus ${F_CORPUS})
    endif()
  else()
    add_executable(${F_NAME} ${F_SOURCES} ${CMAKE_SOURCE_DIR}/tests/fuzz_driver.c)
    set(_args 20000)
    if(F_CORPUS)
      list(APPEND _args ${F_CORPUS})
    endif()
  endif()
  target_link_libraries(${F_NAME} PRIVATE pbcore)
  target_include_directories(${F_NAME} PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  add_test(NAME ${F_NAME} COMMAND ${F_NAME} ${_args})
  math(EXPR _timeout "${PB_FUZZ_SECONDS} + 300")
  set_tests_properties(${F_NAME} PROPERTIES LABELS fuzz TIMEOUT ${_timeout})
endfunction()
