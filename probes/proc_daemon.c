/* proc.daemon MARKER SECONDS: become a classic daemon (double fork, new session, SIGHUP and
 * SIGTERM ignored, stdio on /dev/null), write its pid to MARKER (a host-visible path the
 * harness made) and live SECONDS. The daemon is a fork of this process, so MARKER is in its
 * argv: the harness finds survivors by scanning /proc/[pid]/cmdline for it. The probe line is
 * printed by the original process once the daemon has written the marker ("pid"). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>

#include "probe.h"
#include "proc_util.h"

static void daemon_body(const char *marker, long seconds, int report_fd)
{
	char line[32];
	int err = 0;

	signal(SIGHUP, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	int fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int len = snprintf(line, sizeof(line), "%d\n", (int)getpid());
	if (fd < 0 || write(fd, line, (size_t)len) != len)
		err = errno ? errno : EIO;
	if (fd >= 0)
		close(fd);
	/* Report "pid errno" to the original process, then detach from its pipe. */
	len = snprintf(line, sizeof(line), "%d %d\n", (int)getpid(), err);
	if (write(report_fd, line, (size_t)len) < 0)
		_exit(1);
	close(report_fd);
	if (err)
		_exit(1);
	struct timespec left = {.tv_sec = seconds};
	while (nanosleep(&left, &left) < 0 && errno == EINTR)
		;
	_exit(0);
}

int main(int argc, char **argv)
{
	long seconds;
	int p[2], st;
	char buf[64] = "", extra[48];

	probe_need_args("proc.daemon", argc, 3, "usage: proc_daemon MARKER SECONDS");
	if (!pu_parse_long(argv[2], &seconds) || seconds < 0 || seconds > 86400)
		probe_inconclusive("proc.daemon", argv[1], "bad SECONDS");
	if (pipe2(p, O_CLOEXEC) < 0)
		probe_inconclusive("proc.daemon", argv[1], "pipe");
	pid_t first = fork();
	if (first < 0)
		probe_finish("proc.daemon", argv[1], -1, "fork");
	if (first == 0) {
		close(p[0]);
		if (setsid() < 0)
			_exit(3);
		pid_t second = fork();
		if (second != 0)
			_exit(second < 0 ? 4 : 0);
		/* Hold no descriptor of the harness: it waits for EOF on our stdout. */
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		for (int i = 0; i < 3 && null >= 0; i++)
			dup2(null, i);
		daemon_body(argv[1], seconds, p[1]);
	}
	close(p[1]);
	while (waitpid(first, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		errno = WIFEXITED(st) && WEXITSTATUS(st) == 3 ? EPERM : EAGAIN;
		probe_finish("proc.daemon", argv[1], -1, WEXITSTATUS(st) == 3 ? "setsid" : "fork");
	}
	ssize_t n = read(p[0], buf, sizeof(buf) - 1);
	int dpid = 0, err = 0;
	if (n <= 0 || sscanf(buf, "%d %d", &dpid, &err) != 2)
		probe_inconclusive("proc.daemon", argv[1], "daemon did not report");
	snprintf(extra, sizeof(extra), "\"pid\":%d", dpid);
	probe_result("proc.daemon", argv[1], err ? PROBE_REFUSED : PROBE_SUCCEEDED, err,
	             err ? "marker" : "daemon", extra);
}
