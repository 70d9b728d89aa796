# Empty dependencies file for bench_seal.
# This may be replaced when dependencies are built.
