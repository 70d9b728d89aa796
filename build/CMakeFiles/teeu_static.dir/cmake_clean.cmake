file(REMOVE_RECURSE
  "libteeu_static.a"
  "libteeu_static.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/teeu_static.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
