file(REMOVE_RECURSE
  "CMakeFiles/test_crypto.dir/unit/test_crypto.c.o"
  "CMakeFiles/test_crypto.dir/unit/test_crypto.c.o.d"
  "test_crypto"
  "test_crypto.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_crypto.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
