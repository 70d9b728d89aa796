# Empty dependencies file for teeu_cli.
# This may be replaced when dependencies are built.
