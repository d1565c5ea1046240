/* proc.tiocsti [CH]: push CH (default '#') into the input queue of the terminal on fd 0, as
 * if typed. Unconfined in a shell, the shell would read it after we exit (CVE-2017-5226). */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "probe.h"

int main(int argc, char **argv)
{
	char ch = argc > 1 && argv[1][0] ? argv[1][0] : '#';
	char target[2] = {ch, 0};

	/* The harness hands us a pty on fd 0; anything else cannot show injection at all. */
	if (!isatty(0))
		probe_inconclusive("proc.tiocsti", target, "fd 0 is not a terminal");
	probe_finish("proc.tiocsti", target, ioctl(0, TIOCSTI, &ch), "ioctl");
}
