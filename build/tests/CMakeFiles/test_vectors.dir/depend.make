# Empty dependencies file for test_vectors.
# This may be replaced when dependencies are built.
