/* cmd_admin.c - placeholder (being written). */
#include <stdio.h>
#include "cli.h"
int cmd_revoke(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "not yet\n");
	return 1;
}
void help_revoke(void) {}
int cmd_approve(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "not yet\n");
	return 1;
}
void help_approve(void) {}
