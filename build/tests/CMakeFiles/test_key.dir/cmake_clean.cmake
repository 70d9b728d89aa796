file(REMOVE_RECURSE
  "CMakeFiles/test_key.dir/unit/test_key.c.o"
  "CMakeFiles/test_key.dir/unit/test_key.c.o.d"
  "test_key"
  "test_key.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_key.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
