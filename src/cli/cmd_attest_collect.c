/* cmd_attest_collect.c - teeu attest collect (placeholder). */
#include "cli.h"

int cmd_attest_collect(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_usage_error("attest collect", "not implemented yet");
}
