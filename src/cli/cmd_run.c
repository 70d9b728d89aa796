/* cmd_run.c - placeholder. */
#include <stdio.h>
#include "cli.h"
int cmd_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 1;
}
void help_run(void) {}
