
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/src/lib/buf.c" "CMakeFiles/teeu_objects.dir/src/lib/buf.c.o" "gcc" "CMakeFiles/teeu_objects.dir/src/lib/buf.c.o.d"
  "/work/main/src/lib/config.c" "CMakeFiles/teeu_objects.dir/src/lib/config.c.o" "gcc" "CMakeFiles/teeu_objects.dir/src/lib/config.c.o.d"
  "/work/main/src/lib/crypto.c" "CMakeFiles/teeu_objects.dir/src/lib/crypto.c.o" "gcc" "CMakeFiles/teeu_objects.dir/src/lib/crypto.c.o.d"
  "/work/main/src/lib/doc.c" "CMakeFiles/teeu_objects.dir/src/lib/doc.c.o" "gcc" "CMakeFiles/teeu_objects.dir/src/lib/doc.c.o.d"
  "/work/main/src/lib/error.c" "CMakeFiles/teeu_objects.dir/src/lib/error.c.o" "gcc" "CMakeFiles/teeu_objects.dir/src/lib/error.c.o.d"
  "/work/main/src/lib/file.c" "CMakeFiles/teeu_objects.dir/src/lib/file.c.o" "gcc" "CMakeFiles/teeu_objects.dir/src/lib/file.c.o.d"
  "/work/main/src/lib/names.c" "CMakeFiles/teeu_objects.dir/src/lib/names.c.o" "gcc" "CMakeFiles/teeu_objects.dir/src/lib/names.c.o.d"
  "/work/main/src/lib/object.c" "CMakeFiles/teeu_objects.dir/src/lib/object.c.o" "gcc" "CMakeFiles/teeu_objects.dir/src/lib/object.c.o.d"
  "/work/main/src/lib/pkey.c" "CMakeFiles/teeu_objects.dir/src/lib/pkey.c.o" "gcc" "CMakeFiles/teeu_objects.dir/src/lib/pkey.c.o.d"
  "/work/main/src/lib/policy.c" "CMakeFiles/teeu_objects.dir/src/lib/policy.c.o" "gcc" "CMakeFiles/teeu_objects.dir/src/lib/policy.c.o.d"
  "/work/main/src/lib/time.c" "CMakeFiles/teeu_objects.dir/src/lib/time.c.o" "gcc" "CMakeFiles/teeu_objects.dir/src/lib/time.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
