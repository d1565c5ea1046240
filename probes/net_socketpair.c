/* net.socketpair: make a UNIX socketpair and pass one byte across. An allowed action: a
 * sandbox with the network off must keep it working (build tools and IPC rely on it). */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <unistd.h>

#include "probe.h"

#define PROBE "net.socketpair"

int main(void)
{
	int sv[2];
	char c = 'x';
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		probe_finish(PROBE, "AF_UNIX", -1, "socketpair");
	if (write(sv[0], &c, 1) != 1)
		probe_finish(PROBE, "AF_UNIX", -1, "write");
	probe_finish(PROBE, "AF_UNIX", read(sv[1], &c, 1) == 1 && c == 'x' ? 0 : -1, "read");
}
