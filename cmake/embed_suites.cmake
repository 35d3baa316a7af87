# SPDX-License-Identifier: MIT
# Generates suites_builtin.h: every harness/suites/NAME.suite as a C string,
# so the built-in suites travel inside the binary.
# Invoked as: cmake -DSRC=<dir> -DOUT=<file> -P embed_suites.cmake
file(GLOB _files "${SRC}/*.suite")
list(SORT _files)
set(_c "/* Generated from the harness/suites/ files by cmake/embed_suites.cmake. */\n")
string(APPEND _c "struct pb_suite_builtin { const char *name; const char *text; };\n")
set(_table "static const struct pb_suite_builtin pb_suites_builtin[] = {\n")
foreach(_f ${_files})
  get_filename_component(_n "${_f}" NAME_WE)
  file(READ "${_f}" _hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _hex "${_hex}")
  string(APPEND _c "static const char pb_suite_${_n}[] = {${_hex} 0};\n")
  string(APPEND _table "\t{\"${_n}\", pb_suite_${_n}},\n")
endforeach()
string(APPEND _table "\t{0, 0},\n};\n")
file(WRITE "${OUT}.new" "${_c}${_table}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.new" "${OUT}")
file(REMOVE "${OUT}.new")
