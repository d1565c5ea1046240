/* net.unix_abstract_listen: bind and listen on the abstract UNIX socket @NAME, print the line,
 * then stay alive SECONDS accepting (and closing) every connection that arrives, so that
 * another sandbox (another session) can try to reach it with net.unix_abstract. A peer sees
 * its connection accepted as EOF. The number accepted goes to stderr at exit: the protocol's
 * one stdout line is out before anyone connects. */
#define _GNU_SOURCE
#include <poll.h>
#include <stddef.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "net.unix_abstract_listen"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	long seconds = 0;

	probe_need_args(PROBE, argc, 3, "usage: net_unix_abstract_listen NAME SECONDS");
	const char *name = argv[1];
	size_t n = strlen(name);
	if (!fsnet_parse_long(argv[2], 0, 86400, &seconds))
		probe_result(PROBE, name, PROBE_INCONCLUSIVE, EINVAL,
		             "usage: net_unix_abstract_listen NAME SECONDS", NULL);
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
	/* The line goes out now, while the socket stays up for the other session to try. */
	probe_print(PROBE, name, PROBE_SUCCEEDED, 0, "listen", NULL);

	long count = 0;
	double end = now() + (double)seconds;
	for (double left = end - now(); left > 0; left = end - now()) {
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		if (poll(&pf, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		int c;
		while ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
			close(c);
			count++;
		}
	}
	fprintf(stderr, "%s: accepted %ld connection(s)\n", PROBE, count);
	return PROBE_SUCCEEDED;
}
