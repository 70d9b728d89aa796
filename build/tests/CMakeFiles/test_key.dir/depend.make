# Empty dependencies file for test_key.
# This may be replaced when dependencies are built.
