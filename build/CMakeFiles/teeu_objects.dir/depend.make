# Empty dependencies file for teeu_objects.
# This may be replaced when dependencies are built.
