file(REMOVE_RECURSE
  "CMakeFiles/teeu_cli.dir/src/cli/cli_io.c.o"
  "CMakeFiles/teeu_cli.dir/src/cli/cli_io.c.o.d"
  "CMakeFiles/teeu_cli.dir/src/cli/cmd_config.c.o"
  "CMakeFiles/teeu_cli.dir/src/cli/cmd_config.c.o.d"
  "CMakeFiles/teeu_cli.dir/src/cli/cmd_key.c.o"
  "CMakeFiles/teeu_cli.dir/src/cli/cmd_key.c.o.d"
  "CMakeFiles/teeu_cli.dir/src/cli/cmd_policy.c.o"
  "CMakeFiles/teeu_cli.dir/src/cli/cmd_policy.c.o.d"
  "CMakeFiles/teeu_cli.dir/src/cli/cmd_seal.c.o"
  "CMakeFiles/teeu_cli.dir/src/cli/cmd_seal.c.o.d"
  "CMakeFiles/teeu_cli.dir/src/cli/main.c.o"
  "CMakeFiles/teeu_cli.dir/src/cli/main.c.o.d"
  "teeu"
  "teeu.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/teeu_cli.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
