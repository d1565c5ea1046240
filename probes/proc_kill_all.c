/* proc.kill_all SIG: kill(-1, SIG) signals every process the caller may signal except init
 * and itself. Inside a PID namespace that is only the sandbox's own tree; unconfined it is
 * every process of the user, so the tests run it inside a throwaway PID namespace. */
#define _GNU_SOURCE
#include <signal.h>

#include "probe.h"
#include "proc_util.h"

int main(int argc, char **argv)
{
	int sig;

	probe_need_args("proc.kill_all", argc, 2, "usage: proc_kill_all SIG");
	if (!pu_parse_signal(argv[1], &sig))
		probe_inconclusive("proc.kill_all", argv[1], "bad SIG");
	/* Our own parent may get the signal too; ignore nothing here, the harness chose SIG. */
	probe_finish("proc.kill_all", argv[1], kill(-1, sig), "kill");
}
