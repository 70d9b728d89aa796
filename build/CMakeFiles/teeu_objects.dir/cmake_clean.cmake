file(REMOVE_RECURSE
  "CMakeFiles/teeu_objects.dir/src/lib/buf.c.o"
  "CMakeFiles/teeu_objects.dir/src/lib/buf.c.o.d"
  "CMakeFiles/teeu_objects.dir/src/lib/config.c.o"
  "CMakeFiles/teeu_objects.dir/src/lib/config.c.o.d"
  "CMakeFiles/teeu_objects.dir/src/lib/crypto.c.o"
  "CMakeFiles/teeu_objects.dir/src/lib/crypto.c.o.d"
  "CMakeFiles/teeu_objects.dir/src/lib/doc.c.o"
  "CMakeFiles/teeu_objects.dir/src/lib/doc.c.o.d"
  "CMakeFiles/teeu_objects.dir/src/lib/error.c.o"
  "CMakeFiles/teeu_objects.dir/src/lib/error.c.o.d"
  "CMakeFiles/teeu_objects.dir/src/lib/file.c.o"
  "CMakeFiles/teeu_objects.dir/src/lib/file.c.o.d"
  "CMakeFiles/teeu_objects.dir/src/lib/names.c.o"
  "CMakeFiles/teeu_objects.dir/src/lib/names.c.o.d"
  "CMakeFiles/teeu_objects.dir/src/lib/object.c.o"
  "CMakeFiles/teeu_objects.dir/src/lib/object.c.o.d"
  "CMakeFiles/teeu_objects.dir/src/lib/pkey.c.o"
  "CMakeFiles/teeu_objects.dir/src/lib/pkey.c.o.d"
  "CMakeFiles/teeu_objects.dir/src/lib/policy.c.o"
  "CMakeFiles/teeu_objects.dir/src/lib/policy.c.o.d"
  "CMakeFiles/teeu_objects.dir/src/lib/time.c.o"
  "CMakeFiles/teeu_objects.dir/src/lib/time.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/teeu_objects.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
