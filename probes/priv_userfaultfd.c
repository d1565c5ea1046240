/* priv.userfaultfd: a userfaultfd that also handles kernel-mode faults, the primitive that
 * widens kernel race windows. "user_mode_only" reports whether the restricted variant
 * (UFFD_USER_MODE_ONLY) would be granted. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe.h"

#define PU_UFFD_USER_MODE_ONLY 1

int main(void)
{
	char extra[48];
	long um = syscall(SYS_userfaultfd, O_CLOEXEC | PU_UFFD_USER_MODE_ONLY);
	snprintf(extra, sizeof(extra), "\"user_mode_only\":%s", um >= 0 ? "true" : "false");
	long fd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (fd < 0)
		probe_result("priv.userfaultfd", "userfaultfd", PROBE_REFUSED, errno, "userfaultfd",
		             extra);
	probe_result("priv.userfaultfd", "userfaultfd", PROBE_SUCCEEDED, 0, "userfaultfd", extra);
}
