/* net.unix_sendmsg: send one datagram to the pathname UNIX socket PATH from an unconnected
 * SOCK_DGRAM socket, naming PATH in msg_name of sendmsg (default) or of the first message of
 * sendmmsg, or in sendto's address argument (`sendto`: a register the filter can see, so a
 * filter must send it to the supervisor, or refuse it). The address sits in memory, not in a register, so a seccomp filter that checks
 * connect() and sendto() but lets sendmsg through leaves journald's socket, syslog's /dev/log
 * or systemd's notify socket reachable. The datagram is the marker line. */
#define _GNU_SOURCE
#include <sys/un.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "net.unix_sendmsg"

static long send_one(int fd, struct sockaddr_un *sa, const char *how)
{
	bool many = strcmp(how, "sendmmsg") == 0;
	char data[64];
	int n = snprintf(data, sizeof(data), "cordon-probe %s\n", PROBE);
	struct iovec iov = {.iov_base = data, .iov_len = (size_t)n};
	struct mmsghdr m = {.msg_hdr = {.msg_name = sa,
	                                .msg_namelen = sizeof(*sa),
	                                .msg_iov = &iov,
	                                .msg_iovlen = 1}};
	if (strcmp(how, "sendto") == 0)
		return sendto(fd, data, (size_t)n, 0, (struct sockaddr *)sa, sizeof(*sa));
	if (many)
		return sendmmsg(fd, &m, 1, 0) == 1 ? (long)m.msg_len : -1;
	return sendmsg(fd, &m.msg_hdr, 0);
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	probe_need_args(PROBE, argc, 2, "usage: net_unix_sendmsg PATH [sendmsg|sendmmsg|sendto]");
	const char *how = argc > 2 ? argv[2] : "sendmsg";
	if (strcmp(how, "sendmsg") != 0 && strcmp(how, "sendmmsg") != 0 &&
	    strcmp(how, "sendto") != 0)
		probe_result(PROBE, argv[1], PROBE_INCONCLUSIVE, EINVAL,
		             "usage: net_unix_sendmsg PATH [sendmsg|sendmmsg|sendto]", NULL);
	if (strlen(argv[1]) >= sizeof(sa.sun_path))
		probe_result(PROBE, argv[1], PROBE_INCONCLUSIVE, ENAMETOOLONG, "path too long",
		             NULL);
	memcpy(sa.sun_path, argv[1], strlen(argv[1]));
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		probe_finish(PROBE, argv[1], -1, "socket");
	probe_finish(PROBE, argv[1], send_one(fd, &sa, how), how);
}
