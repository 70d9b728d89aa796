# Empty dependencies file for teeu_static.
# This may be replaced when dependencies are built.
