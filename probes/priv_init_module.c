/* priv.init_module: offer the kernel a 16-byte garbage "module". The capability check comes
 * first (EPERM, or ENOSYS without module support); an ELF error (ENOEXEC, EINVAL...) means
 * the call was permitted. Garbage can never load. */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <unistd.h>

#include "priv_reach.h"

int main(void)
{
	static const char image[16] = "not-a-module!!!";
	long rc = syscall(SYS_init_module, image, sizeof(image), "");
	pr_finish("priv.init_module", "init_module", rc, errno, "init_module");
}
