/* priv.setns PID [NS]: join namespace NS (default mnt; also net pid ipc uts user cgroup time)
 * of PID through /proc/PID/ns/NS, the nsenter route out of a container when a host pid is
 * visible. Only this short-lived probe moves; "hostname" is what it sees after joining (it
 * shows a UTS join). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/utsname.h>

#include "probe.h"
#include "proc_util.h"

#define P "priv.setns"

int main(int argc, char **argv)
{
	pid_t pid;
	const char *ns = argc > 2 ? argv[2] : "mnt";
	char path[96], extra[160];
	size_t len = 0;
	struct utsname u;

	probe_need_args(P, argc, 2, "usage: priv_setns PID [NS]");
	if (!pu_parse_pid(argv[1], &pid) || strchr(ns, '/') || strlen(ns) > 16)
		probe_inconclusive(P, argv[1], "bad PID or NS");
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		probe_finish(P, path, -1, "open");
	if (setns(fd, 0) < 0)
		probe_finish(P, path, -1, "setns");
	len += (size_t)snprintf(extra, sizeof(extra), "\"hostname\":");
	probe_json_str(extra, sizeof(extra), &len, uname(&u) == 0 ? u.nodename : "");
	probe_result(P, path, PROBE_SUCCEEDED, 0, "setns", extra);
}
