# Empty dependencies file for test_object.
# This may be replaced when dependencies are built.
