/* fs.write_appeared: wait for PATH to appear (made from outside while the probe runs), give
 * the sandbox SETTLE_MS to react, then open it for writing (no O_CREAT) and write the marker.
 * Inconclusive when PATH never appears within WAIT_MS. */
#define _GNU_SOURCE
#include <time.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "fs.write_appeared"

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	probe_need_args(PROBE, argc, 2, "usage: fs_write_appeared PATH [SETTLE_MS [WAIT_MS]]");
	long settle = 500, wait = 10000;
	if ((argc > 2 && !fsnet_parse_long(argv[2], 0, 60000, &settle)) ||
	    (argc > 3 && !fsnet_parse_long(argv[3], 1, 600000, &wait)))
		probe_inconclusive(PROBE, argv[1], "bad SETTLE_MS or WAIT_MS");
	long waited = 0;
	while (access(argv[1], F_OK) < 0 && waited < wait) {
		sleep_ms(20);
		waited += 20;
	}
	if (access(argv[1], F_OK) < 0)
		probe_inconclusive(PROBE, argv[1], "never appeared");
	sleep_ms(settle);
	const char *step = NULL;
	int rc = fsnet_open_write(argv[1], O_WRONLY | O_TRUNC, PROBE, &step);
	probe_finish(PROBE, argv[1], rc, step);
}
