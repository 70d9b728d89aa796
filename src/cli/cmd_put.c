/* cmd_put.c - placeholder. */
#include <stdio.h>
#include "cli.h"
int cmd_put(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 1;
}
void help_put(void) {}
