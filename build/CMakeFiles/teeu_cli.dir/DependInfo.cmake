
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/src/cli/cli_io.c" "CMakeFiles/teeu_cli.dir/src/cli/cli_io.c.o" "gcc" "CMakeFiles/teeu_cli.dir/src/cli/cli_io.c.o.d"
  "/work/main/src/cli/cmd_config.c" "CMakeFiles/teeu_cli.dir/src/cli/cmd_config.c.o" "gcc" "CMakeFiles/teeu_cli.dir/src/cli/cmd_config.c.o.d"
  "/work/main/src/cli/cmd_key.c" "CMakeFiles/teeu_cli.dir/src/cli/cmd_key.c.o" "gcc" "CMakeFiles/teeu_cli.dir/src/cli/cmd_key.c.o.d"
  "/work/main/src/cli/cmd_policy.c" "CMakeFiles/teeu_cli.dir/src/cli/cmd_policy.c.o" "gcc" "CMakeFiles/teeu_cli.dir/src/cli/cmd_policy.c.o.d"
  "/work/main/src/cli/cmd_seal.c" "CMakeFiles/teeu_cli.dir/src/cli/cmd_seal.c.o" "gcc" "CMakeFiles/teeu_cli.dir/src/cli/cmd_seal.c.o.d"
  "/work/main/src/cli/main.c" "CMakeFiles/teeu_cli.dir/src/cli/main.c.o" "gcc" "CMakeFiles/teeu_cli.dir/src/cli/main.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build/CMakeFiles/teeu.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
