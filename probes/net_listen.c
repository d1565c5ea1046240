/* net.listen: bind 127.0.0.1:PORT (default 0: any free port), listen, print the line with
 * the bound "port", then stay alive SECONDS (default 0) so that the harness can try to reach
 * the listener from outside the sandbox. Pending connections complete in the kernel's
 * backlog, so nothing needs to be accepted. */
#define _GNU_SOURCE
#include <sys/wait.h>
#include <time.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "net.listen"

int main(int argc, char **argv)
{
	long port = 0, seconds = 0;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);

	if ((argc > 1 && !fsnet_parse_long(argv[1], 0, 65535, &port)) ||
	    (argc > 2 && !fsnet_parse_long(argv[2], 0, 86400, &seconds)))
		probe_result(PROBE, "", PROBE_INCONCLUSIVE, EINVAL,
		             "usage: net_listen [PORT [SECONDS]]", NULL);
	const char *target = "127.0.0.1";
	sa.sin_port = htons((unsigned short)port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		probe_finish(PROBE, target, -1, "socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		probe_finish(PROBE, target, -1, "bind");
	if (listen(fd, 16) < 0)
		probe_finish(PROBE, target, -1, "listen");
	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		probe_inconclusive(PROBE, target, "getsockname");
	char extra[32];
	snprintf(extra, sizeof(extra), "\"port\":%d", ntohs(sa.sin_port));
	/* The line goes out now, while the socket stays up for the harness to try. */
	probe_print(PROBE, target, PROBE_SUCCEEDED, 0, "listen", extra);
	struct timespec ts = {.tv_sec = seconds};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return PROBE_SUCCEEDED;
}
