/* net.unix_abstract_bind_hijack: bind and listen on the abstract UNIX socket @NAME, the way a
 * command would squat a name a host client looks for (@/tmp/.X11-unix/X7, a D-Bus or IDE
 * socket), print the line, then wait up to SECONDS for a client, answer the first one and
 * exit. The bind succeeding proves nothing (a private network namespace has its own names):
 * the witness is outside, a host client that connects to @NAME (the harness's oracle) and
 * must be refused. The count answered goes to stderr at exit. */
#define _GNU_SOURCE
#include <poll.h>
#include <stddef.h>
#include <sys/un.h>
#include <time.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "net.unix_abstract_bind_hijack"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wait for one client until end; answer it. 1 when one came. */
static int serve_one(int fd, double end)
{
	for (double left = end - now(); left > 0; left = end - now()) {
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		if (poll(&pf, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		(void)!write(c, "sandbox\n", 8);
		close(c);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	long seconds = 0;

	probe_need_args(PROBE, argc, 3, "usage: net_unix_abstract_bind_hijack NAME SECONDS");
	const char *name = argv[1];
	size_t n = strlen(name);
	if (!fsnet_parse_long(argv[2], 0, 86400, &seconds))
		probe_result(PROBE, name, PROBE_INCONCLUSIVE, EINVAL,
		             "usage: net_unix_abstract_bind_hijack NAME SECONDS", NULL);
	if (n == 0 || n + 1 > sizeof(sa.sun_path))
		probe_result(PROBE, name, PROBE_INCONCLUSIVE, ENAMETOOLONG, "name length", NULL);
	memcpy(sa.sun_path + 1, name, n); /* sun_path[0] == 0: the abstract namespace */
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		probe_finish(PROBE, name, -1, "socket");
	if (bind(fd, (struct sockaddr *)&sa, len) < 0)
		probe_finish(PROBE, name, -1, "bind");
	if (listen(fd, 16) < 0)
		probe_finish(PROBE, name, -1, "listen");
	/* Out now, while the name is held for the host's client to try. */
	probe_print(PROBE, name, PROBE_SUCCEEDED, 0, "bind", NULL);
	int answered = serve_one(fd, now() + (double)seconds);
	fprintf(stderr, "%s: answered %d client(s)\n", PROBE, answered);
	return PROBE_SUCCEEDED;
}
