/* cmd_attest_collateral.c - teeu attest collateral (placeholder). */
#include "cli.h"

int cmd_attest_collateral(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_usage_error("attest collateral", "not implemented yet");
}
