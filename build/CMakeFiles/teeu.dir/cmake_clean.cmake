file(REMOVE_RECURSE
  "libteeu.pdb"
  "libteeu.so"
  "libteeu.so.0"
  "libteeu.so.0.1.0"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/teeu.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
