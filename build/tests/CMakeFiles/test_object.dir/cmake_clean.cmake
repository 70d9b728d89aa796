file(REMOVE_RECURSE
  "CMakeFiles/test_object.dir/unit/test_object.c.o"
  "CMakeFiles/test_object.dir/unit/test_object.c.o.d"
  "test_object"
  "test_object.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_object.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
