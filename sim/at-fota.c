/*
 * at-fota.c: +QFOTADL, the firmware-over-the-air command.  Only the test
 * form exists so far; the download paths arrive with their own issues.
 */
#include "config.h"

#include "at-cmd.h"

/* AT+QFOTADL=?: the manual's test command answers a bare OK. */
static int
at_fota_qfotadl(struct at_req *r)
{
	(void)r;
	return AT_RES_OK;
}

const struct at_cmd at_fota_cmds[] = {
	{ .name = "+QFOTADL", .forms = AT_TEST, .proceed = at_fota_qfotadl },
	{ .name = NULL },
};
