/* priv.ioperm: ask for raw access to I/O port 0x80 (the POST diagnostic port). The probe
 * never touches the port; being granted it (CAP_SYS_RAWIO) is the finding. x86 only. */
#define _GNU_SOURCE
#include <errno.h>

#include "probe.h"

#if defined(__x86_64__) || defined(__i386__)
#include <sys/io.h>
#endif

int main(void)
{
#if defined(__x86_64__) || defined(__i386__)
	probe_finish("priv.ioperm", "0x80", ioperm(0x80, 1, 1), "ioperm");
#else
	errno = ENOSYS;
	probe_inconclusive("priv.ioperm", "0x80", "x86 only");
#endif
}
