/* cmd_status.c - placeholder (being written). */
#include <stdio.h>
#include "cli.h"
int cmd_status(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "not yet\n");
	return 1;
}
void help_status(void) {}
