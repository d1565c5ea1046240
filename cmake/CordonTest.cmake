# cordon_add_test(NAME test_foo SOURCES a.c b.c LIBS lib... [LABELS l...])
# One cmocka executable per tests/test_<module>.c, registered with ctest.
# A test that must skip (missing kernel feature) calls cmocka's skip(); cmocka then
# reports it as skipped and ctest still sees exit 0, so the reason must be printed.
function(cordon_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE PkgConfig::CMOCKA ${T_LIBS})
  target_compile_definitions(${name} PRIVATE
    CORDON_PROBE_DIR="${CORDON_PROBE_DIR}"
    CORDON_BINARY_DIR="${CMAKE_BINARY_DIR}"
    CORDON_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "CMOCKA_MESSAGE_OUTPUT=stdout")
  if(T_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}")
  endif()
endfunction()
