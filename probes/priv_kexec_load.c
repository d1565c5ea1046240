/* priv.kexec_load: ask for 17 segments (KEXEC_SEGMENT_MAX is 16) so nothing can be loaded.
 * The permission check comes first (EPERM, ENOSYS without kexec); EINVAL means permitted. */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <unistd.h>

#include "priv_reach.h"

int main(void)
{
	long rc = syscall(SYS_kexec_load, 0UL, 17UL, NULL, 0UL);
	pr_finish("priv.kexec_load", "kexec_load", rc, errno, "kexec_load");
}
