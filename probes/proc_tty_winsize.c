/* proc.tty_winsize: set the size of the terminal on fd 0 (TIOCSWINSZ, 33 rows of 77 columns).
 * On the user's own terminal the kernel then sends SIGWINCH to the host's foreground process
 * group and the size stays changed after the run; on a pty of the sandbox's own, nothing
 * outside changes (the harness compares the terminal's size before and after). */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <unistd.h>

#include "probe.h"

int main(void)
{
	struct winsize ws = {.ws_row = 33, .ws_col = 77};

	if (!isatty(0))
		probe_inconclusive("proc.tty_winsize", "fd 0", "fd 0 is not a terminal");
	probe_finish("proc.tty_winsize", "fd 0", ioctl(0, TIOCSWINSZ, &ws), "ioctl");
}
