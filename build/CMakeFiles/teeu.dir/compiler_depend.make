# Empty compiler generated dependencies file for teeu.
# This may be replaced when dependencies are built.
