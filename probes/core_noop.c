/* noop: does nothing and exits 0 — the performance baseline. */
#include "probe.h"

int main(void)
{
	probe_result("core.noop", "", PROBE_SUCCEEDED, 0, "noop", NULL);
}
