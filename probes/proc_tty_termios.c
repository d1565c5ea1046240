/* proc.tty_termios: change the mode of the terminal on fd 0 (TCSETS): flip ECHO and ICANON,
 * as a program that dies before restoring them leaves the user's terminal (no echo after the
 * run). On a pty of the sandbox's own nothing outside changes (the harness compares). */
#define _GNU_SOURCE
#include <termios.h>
#include <unistd.h>

#include "probe.h"

int main(void)
{
	struct termios tio;

	if (!isatty(0) || tcgetattr(0, &tio) < 0)
		probe_inconclusive("proc.tty_termios", "fd 0", "fd 0 is not a terminal");
	tio.c_lflag ^= (tcflag_t)(ECHO | ICANON);
	probe_finish("proc.tty_termios", "fd 0", tcsetattr(0, TCSANOW, &tio), "tcsetattr");
}
