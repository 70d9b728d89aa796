/* cmd_audit.c - placeholder (being written). */
#include <stdio.h>
#include "cli.h"
int cmd_audit(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "not yet\n");
	return 1;
}
void help_audit(void) {}
