/* priv.pivot_root: pivot_root of a path that does not exist. The capability check comes
 * before the path lookup, so EPERM means refused and ENOENT means the call was permitted; no
 * pivot can happen (doing a real one in the host namespace would move everyone's root). */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <unistd.h>

#include "priv_reach.h"

int main(void)
{
	static const char nowhere[] = "/nonexistent-cordon-probe-pivot";
	long rc = syscall(SYS_pivot_root, nowhere, nowhere);
	pr_finish("priv.pivot_root", nowhere, rc, errno, "pivot_root");
}
