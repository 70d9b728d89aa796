/* cmd_get.c - placeholder. */
#include <stdio.h>
#include "cli.h"
int cmd_get(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 1;
}
void help_get(void) {}
