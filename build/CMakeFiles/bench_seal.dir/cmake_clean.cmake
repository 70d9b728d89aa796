file(REMOVE_RECURSE
  "CMakeFiles/bench_seal.dir/bench/seal.c.o"
  "CMakeFiles/bench_seal.dir/bench/seal.c.o.d"
  "bench_seal"
  "bench_seal.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/bench_seal.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
