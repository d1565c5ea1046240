/* Host detection: ask the kernel what it offers, on every spawn, so it must stay cheap —
 * no forks, a handful of syscalls and small /proc reads. Whatever is missing is reported
 * with its cause and the fix, never silently. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <linux/magic.h>
#include <linux/seccomp.h>

#include "host.h"
#include "netns.h"
#include "sys.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* Read a small integer from a /proc file; -1 when absent or unreadable. */
static int host_read_int(const char *path)
{
	char buf[32] = {0};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	return atoi(buf);
}

/* The knobs that forbid unprivileged user namespaces. Root is never refused by them, and
 * anything else (seccomp in a container, a missing config) shows up as the clone failing,
 * which sandbox.c reports with this same kind of message. */
static void host_detect_userns(struct cordon_host *h)
{
	h->userns = true;
	if (host_read_int("/proc/sys/user/max_user_namespaces") == 0) {
		h->userns = false;
		snprintf(h->userns_why, sizeof(h->userns_why),
		         "user namespaces are disabled (user.max_user_namespaces = 0); "
		         "fix: sysctl -w user.max_user_namespaces=15000");
		return;
	}
	if (h->is_root)
		return;
	if (host_read_int("/proc/sys/kernel/unprivileged_userns_clone") == 0) {
		h->userns = false;
		snprintf(h->userns_why, sizeof(h->userns_why),
		         "unprivileged user namespaces are disabled "
		         "(kernel.unprivileged_userns_clone = 0); "
		         "fix: sysctl -w kernel.unprivileged_userns_clone=1");
		return;
	}
	if (host_read_int("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1) {
		h->userns = false;
		snprintf(h->userns_why, sizeof(h->userns_why),
		         "AppArmor restricts unprivileged user namespaces "
		         "(kernel.apparmor_restrict_unprivileged_userns = 1); fix: an AppArmor "
		         "profile granting 'userns,' to cordon, or set the sysctl to 0");
	}
}

static void host_detect_landlock(struct cordon_host *h)
{
	int abi = cordon_sys_landlock_create_ruleset(NULL, 0, CORDON_LL_CREATE_RULESET_VERSION);
	if (abi > 0) {
		h->landlock_abi = abi;
		return;
	}
	h->landlock_abi = 0;
	if (errno == EOPNOTSUPP)
		snprintf(h->landlock_why, sizeof(h->landlock_why),
		         "Landlock is built in but not enabled; fix: add landlock to the lsm= "
		         "kernel boot parameter (e.g. lsm=landlock,lockdown,yama,apparmor,bpf)");
	else
		snprintf(h->landlock_why, sizeof(h->landlock_why),
		         "this kernel (%s) has no Landlock (needs Linux >= 5.13 with "
		         "CONFIG_SECURITY_LANDLOCK); fix: a newer kernel",
		         h->kernel);
}

static void host_detect_seccomp(struct cordon_host *h)
{
	/* SECCOMP_GET_ACTION_AVAIL exists since 4.14; asking for USER_NOTIF answers both. */
	__u32 action = SECCOMP_RET_KILL_PROCESS;
	h->seccomp_filter = cordon_sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
	action = SECCOMP_RET_USER_NOTIF;
	bool notif =
	        h->seccomp_filter && cordon_sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
	/* ADDFD (5.9) and pidfd_getfd (5.6): pidfd_getfd on a bad pidfd says EBADF if it exists. */
	bool getfd = syscall(__NR_pidfd_getfd, -1, 0, 0) < 0 && errno == EBADF;
	h->seccomp_notify = notif && getfd;
}

static void host_detect_mount_api(struct cordon_host *h)
{
	/* An invalid fd gets EBADF from a kernel that has the call, ENOSYS otherwise. */
	bool tree = cordon_sys_open_tree(-1, "", 0) < 0 && errno != ENOSYS;
	bool setattr = cordon_sys_mount_setattr(-1, "", 0, NULL) < 0 && errno != ENOSYS;
	h->mount_api = tree && setattr;
}

/* Find our own path in a v1 hierarchy ("N:memory:/a/b") or v2 ("0::/a/b") in
 * /proc/self/cgroup. controller "" selects the v2 line. */
static bool host_cgroup_path(const char *cgroups, const char *controller, char *out, size_t len)
{
	char want[64];
	snprintf(want, sizeof(want), ":%s:", controller);
	for (const char *line = cgroups; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t ll = nl ? (size_t)(nl - line) : strlen(line);
		const char *c = memchr(line, ':', ll);
		if (c && (size_t)(line + ll - c) >= strlen(want) &&
		    strncmp(c, want, strlen(want)) == 0) {
			const char *p = c + strlen(want);
			snprintf(out, len, "%.*s", (int)(line + ll - p), p);
			return true;
		}
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

static bool host_writable_dir(char *out, size_t len, const char *base, const char *rel)
{
	snprintf(out, len, "%s%s", base, strcmp(rel, "/") == 0 ? "" : rel);
	return access(out, W_OK) == 0;
}

static void host_detect_cgroup_v1(struct cordon_host *h, const char *cgroups)
{
	char mem[200] = "", pids[200] = "";
	if (!host_cgroup_path(cgroups, "memory", mem, sizeof(mem)) ||
	    !host_cgroup_path(cgroups, "pids", pids, sizeof(pids))) {
		snprintf(h->cgroup_why, sizeof(h->cgroup_why),
		         "cgroup v1 without memory and pids controllers; limits use rlimits");
		return;
	}
	if (host_writable_dir(h->cgroup_dir, sizeof(h->cgroup_dir), "/sys/fs/cgroup/memory", mem) &&
	    host_writable_dir(h->cgroup_pids_dir, sizeof(h->cgroup_pids_dir), "/sys/fs/cgroup/pids",
	                      pids)) {
		h->cgroup = CORDON_CGROUP_V1;
		return;
	}
	h->cgroup_dir[0] = h->cgroup_pids_dir[0] = '\0';
	snprintf(h->cgroup_why, sizeof(h->cgroup_why),
	         "cgroup v1 hierarchies are writable only by root; --memory falls back to "
	         "RLIMIT_AS and --pids to RLIMIT_NPROC (fix: a cgroup v2 host with a delegated "
	         "user slice)");
}

/* Whether children of dir can get the memory and pids controllers: already enabled, or dir is
 * a root (of the hierarchy or of a cgroup namespace), where processes and enabled controllers
 * may mix. Elsewhere the group holds processes (cordon itself), and enabling them fails
 * (cgroup v2's no-internal-process rule): saying a cgroup enforces the limits would be false. */
static bool host_cgroup_v2_usable(const char *dir, const char *own)
{
	if (strcmp(own, "/") == 0)
		return true;
	char path[320], buf[256] = "";
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return strstr(buf, "memory") && strstr(buf, "pids");
}

static void host_detect_cgroup_v2(struct cordon_host *h, const char *cgroups)
{
	char own[200] = "";
	if (host_cgroup_path(cgroups, "", own, sizeof(own)) &&
	    host_writable_dir(h->cgroup_dir, sizeof(h->cgroup_dir), "/sys/fs/cgroup", own)) {
		if (host_cgroup_v2_usable(h->cgroup_dir, own)) {
			h->cgroup = CORDON_CGROUP_V2;
			return;
		}
		h->cgroup_dir[0] = '\0';
		snprintf(h->cgroup_why, sizeof(h->cgroup_why),
		         "the caller's cgroup v2 (%.40s) holds processes, so it cannot enable "
		         "memory "
		         "and pids for a child; limits use rlimits",
		         own);
		return;
	}
	h->cgroup_dir[0] = '\0';
	snprintf(h->cgroup_why, sizeof(h->cgroup_why),
	         "the caller's cgroup v2 (%.40s) is not delegated to it; limits use rlimits "
	         "(fix: systemd-run --user --scope -p Delegate=yes)",
	         own[0] ? own : "?");
}

static void host_detect_cgroup(struct cordon_host *h)
{
	h->cgroup = CORDON_CGROUP_NONE;
	char buf[2048] = {0};
	int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	struct statfs sf;
	if (n <= 0 || statfs("/sys/fs/cgroup", &sf) < 0) {
		snprintf(h->cgroup_why, sizeof(h->cgroup_why),
		         "no cgroup file system at /sys/fs/cgroup; limits use rlimits");
		return;
	}
	if (sf.f_type == CGROUP2_SUPER_MAGIC)
		host_detect_cgroup_v2(h, buf);
	else
		host_detect_cgroup_v1(h, buf);
}

void cordon_host_detect(struct cordon_host *h)
{
	int saved = errno;
	memset(h, 0, sizeof(*h));
	h->uid = getuid();
	h->gid = getgid();
	h->is_root = h->uid == 0;
	struct utsname u;
	if (uname(&u) == 0)
		snprintf(h->kernel, sizeof(h->kernel), "%s", u.release);
	host_detect_userns(h);
	host_detect_landlock(h);
	host_detect_seccomp(h);
	host_detect_mount_api(h);
	host_detect_cgroup(h);
	h->io_uring_disabled = host_read_int("/proc/sys/kernel/io_uring_disabled");
	h->legacy_tiocsti = host_read_int("/proc/sys/dev/tty/legacy_tiocsti");
	h->net_helper = cordon_netns_helper_find(h->net_helper_why, sizeof(h->net_helper_why));
	errno = saved;
}
