/* cordon-harness: create the Lua state and hand the command line to lua/harness/main.lua. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <lua.h>

#include "harness.h"

/* Spawned children get pipes on 0-2; if the harness itself started with one of those
 * closed, a pipe could land there and be clobbered. Fill the gaps with /dev/null. */
static void main_ensure_stdio(void)
{
	int fd;

	do
		fd = open("/dev/null", O_RDWR);
	while (fd >= 0 && fd <= 2);
	if (fd > 2)
		close(fd);
}

int main(int argc, char **argv)
{
	lua_State *L = NULL;
	int status;

	main_ensure_stdio();
	L = harness_new_state();
	if (!L) {
		fprintf(stderr, "cordon-harness: cannot create the Lua state\n");
		return 2;
	}
	status = harness_run_main(L, argc, argv);
	/* Closing runs every __gc: children still running are killed and reaped. */
	lua_close(L);
	return status;
}
