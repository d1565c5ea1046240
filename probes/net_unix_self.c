/* net.unix_self: bind a pathname UNIX socket at PATH, listen, connect to it and accept. An
 * allowed action: with the network off, a socket the command itself made in its workspace
 * or /tmp must keep working (a sandbox that filters connect() by path must not break it).
 * PATH is removed again at the end. */
#define _GNU_SOURCE
#include <sys/un.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "net.unix_self"

/* The probe's own listener at sa; -1 with *step on failure. */
static int listen_at(const struct sockaddr_un *sa, const char **step)
{
	*step = "socket";
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	*step = "bind";
	if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0)
		return -1;
	*step = "listen";
	return listen(fd, 1) < 0 ? -1 : fd;
}

static int connect_accept(const struct sockaddr_un *sa, int lfd, const char **step)
{
	*step = "socket";
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	*step = "connect";
	if (fsnet_connect(fd, (const struct sockaddr *)sa, sizeof(*sa), 5) < 0)
		return -1;
	*step = "accept";
	return accept4(lfd, NULL, NULL, SOCK_CLOEXEC) < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *step = NULL;

	probe_need_args(PROBE, argc, 2, "usage: net_unix_self PATH");
	if (strlen(argv[1]) >= sizeof(sa.sun_path))
		probe_result(PROBE, argv[1], PROBE_INCONCLUSIVE, ENAMETOOLONG, "path too long",
		             NULL);
	memcpy(sa.sun_path, argv[1], strlen(argv[1]));
	int lfd = listen_at(&sa, &step);
	if (lfd < 0)
		probe_finish(PROBE, argv[1], -1, step);
	int rc = connect_accept(&sa, lfd, &step);
	int saved = errno;
	unlink(argv[1]);
	errno = saved;
	probe_finish(PROBE, argv[1], rc, step);
}
