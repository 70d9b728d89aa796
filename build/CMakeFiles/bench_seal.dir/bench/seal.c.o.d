CMakeFiles/bench_seal.dir/bench/seal.c.o: /work/main/bench/seal.c \
 /usr/include/stdc-predef.h
