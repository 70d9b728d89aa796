# CMake generated Testfile for 
# Source directory: /work/main/tests
# Build directory: /work/main/build/tests
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test(unit_buf "/work/main/build/tests/test_buf")
set_tests_properties(unit_buf PROPERTIES  ENVIRONMENT "TEEU_SOURCE_DIR=/work/main" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;9;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(unit_crypto "/work/main/build/tests/test_crypto")
set_tests_properties(unit_crypto PROPERTIES  ENVIRONMENT "TEEU_SOURCE_DIR=/work/main" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;9;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(unit_key "/work/main/build/tests/test_key")
set_tests_properties(unit_key PROPERTIES  ENVIRONMENT "TEEU_SOURCE_DIR=/work/main" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;9;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(unit_object "/work/main/build/tests/test_object")
set_tests_properties(unit_object PROPERTIES  ENVIRONMENT "TEEU_SOURCE_DIR=/work/main" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;9;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(unit_vectors "/work/main/build/tests/test_vectors")
set_tests_properties(unit_vectors PROPERTIES  ENVIRONMENT "TEEU_SOURCE_DIR=/work/main" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;9;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(unit_policy "/work/main/build/tests/test_policy")
set_tests_properties(unit_policy PROPERTIES  ENVIRONMENT "TEEU_SOURCE_DIR=/work/main" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;9;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(unit_config "/work/main/build/tests/test_config")
set_tests_properties(unit_config PROPERTIES  ENVIRONMENT "TEEU_SOURCE_DIR=/work/main" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;9;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(cli "/work/main/tests/cli/test_cli.sh" "/work/main/build/teeu")
set_tests_properties(cli PROPERTIES  TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;14;add_test;/work/main/tests/CMakeLists.txt;0;")
