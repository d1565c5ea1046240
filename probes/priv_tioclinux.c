/* priv.tioclinux [TTY]: TIOCLINUX with the read-only subcode TIOCL_GETKMSGREDIRECT on fd 0
 * (or on TTY opened read-only without becoming our terminal). The dangerous subcodes (paste a
 * selection into the console, CVE-2023-1523) share the ioctl number, so a filter either
 * refuses TIOCLINUX or it does not. ENOTTY/EINVAL from a non-console means it got through. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "priv_reach.h"

#define PT_TIOCL_GETKMSGREDIRECT 17

int main(int argc, char **argv)
{
	const char *target = argc > 1 ? argv[1] : "fd0";
	int fd = 0;
	char arg[8] = {PT_TIOCL_GETKMSGREDIRECT};

	if (argc > 1) {
		fd = open(argv[1], O_RDONLY | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			probe_finish("priv.tioclinux", target, -1, "open");
	}
	long rc = ioctl(fd, TIOCLINUX, arg);
	pr_finish("priv.tioclinux", target, rc, errno, "ioctl");
}
