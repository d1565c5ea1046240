/* Tests of the priv.* probes, run with no sandbox. Where the effect lives only inside the
 * probe (chroot, personality), the line is checked against the kernel's own answer for root
 * and for the test user. The ABI-bypass probes are shown working for real: under a naive
 * seccomp filter (no architecture check, a 64-bit argument compare) the plain call is refused
 * while the int 0x80 / high-bits variant gets through, and a sound filter stops both. */
#define _GNU_SOURCE
#include "ppp_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static long sysctl_long(const char *path, long dflt)
{
	char *t = tu_read_file(path);
	long v = t ? strtol(t, NULL, 10) : dflt;
	free(t);
	return v;
}

static bool have_user(uid_t *uid, gid_t *gid)
{
	char why[256];
	return geteuid() == 0 && tu_test_user(uid, gid, why, sizeof(why));
}

/* Run a probe (full path in argv[0]) with no_new_privs and, if prog, a seccomp filter, as
 * uid (PPP_ROOT: ourselves). Captures stdout; returns the exit status, or -signal. */
static int run_filtered(const struct sock_fprog *prog, uid_t uid, gid_t gid, char *const argv[],
                        char *out, size_t n)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		dup2(p[1], 1);
		if (uid != PPP_ROOT &&
		    (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0))
			_exit(121);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(122);
		if (prog && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog) < 0)
			_exit(123);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	size_t len = 0;
	ssize_t r;
	while (len + 1 < n && (r = read(p[0], out + len, n - 1 - len)) > 0)
		len += (size_t)r;
	out[len] = '\0';
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);
	printf("  %s", out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

#define LD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
#define LD_ARCH BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch))
#define LD_ARG0_LO BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]))
#define LD_ARG0_HI BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]) + 4)
#define RET_EPERM BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)
#define RET_ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

/* Naive: refuses x86_64 keyctl by number, never looks at the architecture. */
static struct sock_filter naive_keyctl[] = {
        LD_NR,
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_keyctl, 0, 1),
        RET_EPERM,
        RET_ALLOW,
};
/* Sound: anything but x86_64 (and the x32 range) is refused, then keyctl. */
static struct sock_filter sound_keyctl[] = {
        LD_ARCH,
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        RET_EPERM,
        LD_NR,
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
        RET_EPERM,
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_keyctl, 0, 1),
        RET_EPERM,
        RET_ALLOW,
};
/* Naive argument check: personality(READ_IMPLIES_EXEC) compared as a 64-bit value. */
static struct sock_filter naive_personality[] = {
        LD_NR,      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_personality, 0, 5),
        LD_ARG0_HI, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3),
        LD_ARG0_LO, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x0400000, 0, 1),
        RET_EPERM,  RET_ALLOW,
};
/* Blanket allow: only puts the process in filter mode. */
static struct sock_filter allow_all[] = {RET_ALLOW};

#define PROG(f) (&(struct sock_fprog){.len = sizeof(f) / sizeof((f)[0]), .filter = (f)})

static void test_probe_priv_setuid_exec_gains_owner_euid(void **state)
{
	(void)state;
	uid_t uid;
	gid_t gid;
	if (!have_user(&uid, &gid))
		tu_skip("needs root (to make a root-owned setuid copy) and the test user");
	char *dir = tu_tmpdir("ppp-suid", PPP_ROOT, (gid_t)-1);
	assert_non_null(dir);
	chmod(dir, 0755);
	char copy[512], out[1024], cmd[1200];
	snprintf(copy, sizeof(copy), "%s/priv_setuid_exec", dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", tu_probe("priv_setuid_exec"), copy);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(chmod(copy, 04755), 0);
	struct tu_result r = ppp_run_user(uid, gid, "priv_setuid_exec", copy);
	if (strstr(r.out, "nosuid"))
		tu_skip("the temp directory is on a nosuid mount");
	ppp_check(&r, "priv.setuid_exec", "succeeded", NULL);
	assert_int_equal(ppp_num(r.out, "euid"), 0);
	assert_int_equal(ppp_num(r.out, "uid"), (long)uid);
	tu_result_free(&r);
	/* With no_new_privs the bit is ignored. */
	char probe[4096];
	snprintf(probe, sizeof(probe), "%s", tu_probe("priv_setuid_exec"));
	char *argv[] = {probe, copy, NULL};
	assert_int_equal(run_filtered(NULL, uid, gid, argv, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "\"detail\":\"nosuid\""));
	assert_int_equal(ppp_num(out, "euid"), (long)uid);
	/* As the owner the question is moot. */
	r = ppp_run("priv_setuid_exec", copy);
	ppp_check(&r, "priv.setuid_exec", "inconclusive", NULL);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
}

static void test_probe_priv_caps_matches_status(void **state)
{
	(void)state;
	char *status = tu_read_file("/proc/self/status");
	assert_non_null(status);
	char eff[64], want[96];
	const char *at = strstr(status, "CapEff:");
	assert_non_null(at);
	sscanf(at + 7, " %63s", eff);
	free(status);
	snprintf(want, sizeof(want), "\"eff\":\"%s\"", eff);
	struct tu_result r = ppp_run("priv_caps");
	bool root_like = strcmp(eff, "0000000000000000") != 0;
	ppp_check(&r, "priv.caps", root_like ? "succeeded" : "refused", NULL);
	assert_non_null(strstr(r.out, want));
	assert_non_null(strstr(r.out, "\"nnp\":false"));
	tu_result_free(&r);
	uid_t uid;
	gid_t gid;
	if (have_user(&uid, &gid)) {
		r = ppp_run_user(uid, gid, "priv_caps");
		ppp_check(&r, "priv.caps", "refused", NULL);
		assert_non_null(strstr(r.out, "\"detail\":\"no-caps\""));
		assert_non_null(strstr(r.out, "\"eff\":\"0000000000000000\""));
		tu_result_free(&r);
	}
	char probe[4096], out[1024];
	snprintf(probe, sizeof(probe), "%s", tu_probe("priv_caps"));
	char *argv[] = {probe, NULL};
	run_filtered(PROG(allow_all), PPP_ROOT, (gid_t)-1, argv, out, sizeof(out));
	assert_non_null(strstr(out, "\"nnp\":true"));
	assert_non_null(strstr(out, "\"seccomp\":2"));
}

static void test_probe_priv_chroot_root_only(void **state)
{
	(void)state;
	char *dir = tu_tmpdir("ppp-chroot", PPP_ROOT, (gid_t)-1);
	struct tu_result r = ppp_run("priv_chroot", dir);
	ppp_check(&r, "priv.chroot", geteuid() == 0 ? "succeeded" : "refused",
	          geteuid() == 0 ? NULL : "EPERM");
	tu_result_free(&r);
	uid_t uid;
	gid_t gid;
	if (have_user(&uid, &gid)) {
		r = ppp_run_user(uid, gid, "priv_chroot", "/");
		ppp_check(&r, "priv.chroot", "refused", "EPERM");
		tu_result_free(&r);
	}
	tu_rm_rf(dir);
	free(dir);
}

/* A "reached" probe: root gets past the capability check (or ENOSYS when the kernel lacks the
 * call entirely), the test user is refused with EPERM. */
static void check_reach(const char *exe, const char *probe, const char *root_errno,
                        bool kernel_has_it)
{
	struct tu_result r = ppp_run(exe);
	if (!kernel_has_it) {
		ppp_check(&r, probe, "refused", "ENOSYS");
		printf("  (kernel built without it: only the refusal can be shown here)\n");
	} else if (geteuid() == 0 && root_errno) {
		ppp_check(&r, probe, "succeeded", root_errno);
		assert_non_null(strstr(r.out, "\"reached\":true"));
	} else if (geteuid() == 0) {
		/* Past the capability check the answer is the kernel build's (a module loader
		 * says ENOEXEC to garbage, one without modules ENOSYS): reaching it is the fact. */
		printf("  %s", r.out);
		assert_non_null(strstr(r.out, "\"outcome\":\"succeeded\""));
		assert_non_null(strstr(r.out, "\"reached\":true"));
		assert_int_equal(r.status, 0);
	}
	tu_result_free(&r);
	uid_t uid;
	gid_t gid;
	if (have_user(&uid, &gid)) {
		r = ppp_run_user(uid, gid, exe);
		ppp_check(&r, probe, "refused", kernel_has_it ? "EPERM" : "ENOSYS");
		assert_non_null(strstr(r.out, "\"reached\":false"));
		tu_result_free(&r);
	}
}

static void test_probe_priv_pivot_root_reached_only_as_root(void **state)
{
	(void)state;
	check_reach("priv_pivot_root", "priv.pivot_root", "ENOENT", true);
}

static void test_probe_priv_init_module_garbage_never_loads(void **state)
{
	(void)state;
	/* /proc/modules exists only with module support. */
	check_reach("priv_init_module", "priv.init_module", NULL,
	            access("/proc/modules", F_OK) == 0);
}

static void test_probe_priv_kexec_load_invalid_segments(void **state)
{
	(void)state;
	bool has = access("/sys/kernel/kexec_loaded", F_OK) == 0;
	if (has) {
		struct tu_result r = ppp_run("priv_kexec_load");
		printf("  %s", r.out);
		/* EINVAL (reached) as root, or EPERM if kexec_load_disabled. */
		assert_true(strstr(r.out, "EINVAL") || strstr(r.out, "EPERM"));
		tu_result_free(&r);
	} else {
		check_reach("priv_kexec_load", "priv.kexec_load", NULL, false);
	}
}

static void test_probe_priv_bpf_follows_sysctl(void **state)
{
	(void)state;
	struct tu_result r = ppp_run("priv_bpf");
	if (geteuid() == 0)
		ppp_check(&r, "priv.bpf", "succeeded", NULL);
	tu_result_free(&r);
	uid_t uid;
	gid_t gid;
	if (have_user(&uid, &gid)) {
		bool off = sysctl_long("/proc/sys/kernel/unprivileged_bpf_disabled", 1) != 0;
		r = ppp_run_user(uid, gid, "priv_bpf");
		ppp_check(&r, "priv.bpf", off ? "refused" : "succeeded", off ? "EPERM" : NULL);
		tu_result_free(&r);
	}
}

static void test_probe_priv_perf_event_open_follows_paranoid(void **state)
{
	(void)state;
	struct tu_result r = ppp_run("priv_perf_event_open");
	if (strstr(r.out, "ENOENT") || strstr(r.out, "ENOSYS"))
		tu_skip("kernel without perf events");
	if (geteuid() == 0)
		ppp_check(&r, "priv.perf_event_open", "succeeded", NULL);
	tu_result_free(&r);
	uid_t uid;
	gid_t gid;
	if (have_user(&uid, &gid)) {
		long paranoid = sysctl_long("/proc/sys/kernel/perf_event_paranoid", 2);
		r = ppp_run_user(uid, gid, "priv_perf_event_open");
		if (paranoid <= 2)
			ppp_check(&r, "priv.perf_event_open", "succeeded", NULL);
		else
			assert_non_null(strstr(r.out, "\"outcome\":\"refused\""));
		tu_result_free(&r);
	}
}

static void test_probe_priv_userfaultfd_follows_sysctl(void **state)
{
	(void)state;
	struct tu_result r = ppp_run("priv_userfaultfd");
	if (strstr(r.out, "ENOSYS"))
		tu_skip("kernel without userfaultfd");
	if (geteuid() == 0)
		ppp_check(&r, "priv.userfaultfd", "succeeded", NULL);
	tu_result_free(&r);
	uid_t uid;
	gid_t gid;
	if (have_user(&uid, &gid)) {
		bool allowed = sysctl_long("/proc/sys/vm/unprivileged_userfaultfd", 0) != 0;
		r = ppp_run_user(uid, gid, "priv_userfaultfd");
		ppp_check(&r, "priv.userfaultfd", allowed ? "succeeded" : "refused",
		          allowed ? NULL : "EPERM");
		assert_non_null(strstr(r.out, "\"user_mode_only\":true"));
		tu_result_free(&r);
	}
}

static void test_probe_priv_personality_sets_read_implies_exec(void **state)
{
	(void)state;
	struct tu_result r = ppp_run("priv_personality");
	ppp_check(&r, "priv.personality", "succeeded", NULL);
	assert_non_null(strstr(r.out, "\"persona\":\"0x400000\""));
	tu_result_free(&r);
}

static void test_probe_priv_nnp_clear_always_einval(void **state)
{
	(void)state;
	struct tu_result r = ppp_run("priv_nnp_clear");
	ppp_check(&r, "priv.nnp_clear", "refused", "EINVAL");
	assert_non_null(strstr(r.out, "\"before\":0,\"after\":0"));
	tu_result_free(&r);
	char probe[4096], out[512];
	snprintf(probe, sizeof(probe), "%s", tu_probe("priv_nnp_clear"));
	char *argv[] = {probe, NULL};
	assert_int_equal(run_filtered(NULL, PPP_ROOT, (gid_t)-1, argv, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "\"before\":1,\"after\":1"));
}

static void test_probe_priv_seccomp_mode_strict_unless_filtered(void **state)
{
	(void)state;
	struct tu_result r = ppp_run("priv_seccomp_mode");
	ppp_check(&r, "priv.seccomp_mode", "succeeded", NULL);
	tu_result_free(&r);
	char probe[4096], out[512];
	snprintf(probe, sizeof(probe), "%s", tu_probe("priv_seccomp_mode"));
	char *argv[] = {probe, NULL};
	assert_int_equal(run_filtered(PROG(allow_all), PPP_ROOT, (gid_t)-1, argv, out, sizeof(out)),
	                 1);
	assert_non_null(strstr(out, "\"errno\":\"EINVAL\""));
}

static void test_probe_priv_ptrace_rewrite_runs_or_is_rechecked(void **state)
{
	(void)state;
	struct tu_result r = ppp_run("priv_ptrace_rewrite");
	ppp_check(&r, "priv.ptrace_rewrite", "succeeded", NULL);
	/* The rewritten keyctl returned the user keyring's serial, not a pid. */
	long serial = syscall(SYS_keyctl, 0, -4, 0);
	assert_true(serial > 0);
	assert_int_equal(ppp_num(r.out, "child_ret"), serial);
	tu_result_free(&r);
	r = ppp_run("priv_ptrace_rewrite", "unshare");
	ppp_check(&r, "priv.ptrace_rewrite", "succeeded", NULL);
	assert_int_equal(ppp_num(r.out, "child_ret"), 0);
	tu_result_free(&r);
	/* Under a filter refusing keyctl, the rewritten call is checked again (Linux >= 4.8). */
	char probe[4096], out[512];
	snprintf(probe, sizeof(probe), "%s", tu_probe("priv_ptrace_rewrite"));
	char *argv[] = {probe, NULL};
	assert_int_equal(
	        run_filtered(PROG(naive_keyctl), PPP_ROOT, (gid_t)-1, argv, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "\"errno\":\"EPERM\""));
	assert_non_null(strstr(out, "\"child_ret\":-1,\"child_errno\":1"));
}

static void test_probe_priv_tioclinux_reaches_non_console(void **state)
{
	(void)state;
	/* No virtual console here: fd 0 is /dev/null, so the ioctl reaches the driver and gets
	 * ENOTTY; the paste subcodes themselves cannot be shown (and must not be). */
	struct tu_result r = ppp_run("priv_tioclinux");
	ppp_check(&r, "priv.tioclinux", "succeeded", "ENOTTY");
	tu_result_free(&r);
	uid_t uid;
	gid_t gid;
	if (have_user(&uid, &gid) && access("/dev/tty0", F_OK) == 0) {
		r = ppp_run_user(uid, gid, "priv_tioclinux", "/dev/tty0");
		ppp_check(&r, "priv.tioclinux", "refused", "EACCES");
		tu_result_free(&r);
	}
}

static void test_probe_priv_sysctl_write_open_only(void **state)
{
	(void)state;
	const char *path = "/proc/sys/kernel/core_pattern";
	char *before = tu_read_file(path);
	if (!before)
		tu_skip("no %s", path);
	struct tu_result r = ppp_run("priv_sysctl_write", path);
	if (geteuid() == 0)
		ppp_check(&r, "priv.sysctl_write", "succeeded", NULL);
	char *after = tu_read_file(path);
	assert_string_equal(before, after); /* opened, never written */
	tu_result_free(&r);
	uid_t uid;
	gid_t gid;
	if (have_user(&uid, &gid)) {
		r = ppp_run_user(uid, gid, "priv_sysctl_write", path);
		ppp_check(&r, "priv.sysctl_write", "refused", "EACCES");
		tu_result_free(&r);
	}
	free(before);
	free(after);
}

static long x32_enabled(void)
{
	return syscall(SYS_getpid | 0x40000000) >= 0;
}

static void test_probe_priv_abi_entries_reach_keyctl(void **state)
{
	(void)state;
	char want[64];
	long serial = syscall(SYS_keyctl, 0, -4, 0);
	assert_true(serial > 0);
	snprintf(want, sizeof(want), "\"ret\":%ld", serial);
	const char *entries[] = {"priv_syscall", "priv_highbits", "priv_int80"};
	const char *names[] = {"priv.syscall", "priv.highbits", "priv.int80"};
	char why[160];
	bool int80 = tu_int80_available(why, sizeof(why));
	if (!int80)
		printf("  priv.int80 not checked: %s\n", why);
	for (int i = 0; i < (int80 ? 3 : 2); i++) {
		struct tu_result r = ppp_run(entries[i], "keyctl");
		ppp_check(&r, names[i], "succeeded", NULL);
		assert_non_null(strstr(r.out, want)); /* the real keyring serial came back */
		tu_result_free(&r);
	}
	struct tu_result r = ppp_run("priv_x32", "keyctl");
	if (x32_enabled())
		ppp_check(&r, "priv.x32", "succeeded", NULL);
	else
		ppp_check(&r, "priv.x32", "refused", "ENOSYS");
	tu_result_free(&r);
	r = ppp_run("priv_highbits", "unshare");
	ppp_check(&r, "priv.highbits", "inconclusive", NULL);
	tu_result_free(&r);
	if (!int80)
		tu_skip("%s: the int 0x80 entry was not checked (the others were)", why);
	r = ppp_run("priv_int80", "nosuchcall");
	ppp_check(&r, "priv.int80", "inconclusive", NULL);
	tu_result_free(&r);
}

/* The text from "outcome" to the end of "errno" of a line, e.g. outcome":"succeeded","errno":null */
static void verdict(const char *out, char *v, size_t n)
{
	const char *a = strstr(out, "\"outcome\"");
	const char *b = a ? strstr(a, ",\"detail\"") : NULL;
	assert_non_null(b);
	snprintf(v, n, "%.*s", (int)(b - a), a);
}

/* Unconfined, every entry point must give the kernel's one answer: same outcome and errno
 * through int 0x80 and with high bits as through the plain 64-bit entry, for root and for
 * the test user. Only then does a difference under a sandbox mean a filter gap. */
static void check_entries_agree(uid_t uid, gid_t gid, bool int80)
{
	static const char *const names[] = {"keyctl",          "bpf",         "unshare",
	                                    "ptrace",          "init_module", "kexec_load",
	                                    "perf_event_open", "userfaultfd", "personality",
	                                    "chroot",          "tiocsti",     "tioclinux",
	                                    "pivot_root"};
	static const bool has_int_arg[] = {true, true, false, false, false, false, true,
	                                   true, true, false, true,  true,  false};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char plain[256], other[256];
		struct tu_result r = ppp_run_user(uid, gid, "priv_syscall", names[i]);
		verdict(r.out, plain, sizeof(plain));
		tu_result_free(&r);
		if (int80) {
			r = ppp_run_user(uid, gid, "priv_int80", names[i]);
			verdict(r.out, other, sizeof(other));
			printf("  %s: %s | int80 %s\n", names[i], plain, other);
			assert_string_equal(plain, other);
			tu_result_free(&r);
		}
		r = ppp_run_user(uid, gid, "priv_highbits", names[i]);
		if (has_int_arg[i]) {
			verdict(r.out, other, sizeof(other));
			assert_string_equal(plain, other);
		} else {
			assert_int_equal(r.status, 2);
		}
		tu_result_free(&r);
	}
}

static void test_probe_priv_abi_entries_agree_unconfined(void **state)
{
	(void)state;
	char why[160];
	bool int80 = tu_int80_available(why, sizeof(why));
	check_entries_agree(PPP_ROOT, (gid_t)-1, int80);
	uid_t uid;
	gid_t gid;
	if (have_user(&uid, &gid))
		check_entries_agree(uid, gid, int80);
	if (!int80)
		tu_skip("%s: only the plain and high-bits entries were compared", why);
}

static void test_probe_priv_int80_bypasses_naive_filter(void **state)
{
	(void)state;
	char p64[4096], p32[4096], out[512], why[160];
	if (!tu_int80_available(why, sizeof(why)))
		tu_skip("%s: the check is not live here", why);
	snprintf(p64, sizeof(p64), "%s", tu_probe("priv_syscall"));
	snprintf(p32, sizeof(p32), "%s", tu_probe("priv_int80"));
	char *a64[] = {p64, "keyctl", NULL};
	char *a32[] = {p32, "keyctl", NULL};
	assert_int_equal(
	        run_filtered(PROG(naive_keyctl), PPP_ROOT, (gid_t)-1, a64, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "\"errno\":\"EPERM\""));
	int st = run_filtered(PROG(naive_keyctl), PPP_ROOT, (gid_t)-1, a32, out, sizeof(out));
	if (st == -SIGSEGV)
		tu_skip("int 0x80 unavailable (ia32_emulation off)");
	assert_int_equal(st, 0); /* the i386 number slipped past */
	assert_non_null(strstr(out, "\"reached\":true"));
	assert_int_equal(
	        run_filtered(PROG(sound_keyctl), PPP_ROOT, (gid_t)-1, a32, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "\"errno\":\"EPERM\""));
}

static void test_probe_priv_highbits_bypass_64bit_compare(void **state)
{
	(void)state;
	char plain[4096], high[4096], out[512];
	snprintf(plain, sizeof(plain), "%s", tu_probe("priv_syscall"));
	snprintf(high, sizeof(high), "%s", tu_probe("priv_highbits"));
	char *ap[] = {plain, "personality", NULL};
	char *ah[] = {high, "personality", NULL};
	assert_int_equal(
	        run_filtered(PROG(naive_personality), PPP_ROOT, (gid_t)-1, ap, out, sizeof(out)),
	        1);
	assert_non_null(strstr(out, "\"errno\":\"EPERM\""));
	/* The kernel truncates persona to 32 bits; the filter compared 64. */
	assert_int_equal(
	        run_filtered(PROG(naive_personality), PPP_ROOT, (gid_t)-1, ah, out, sizeof(out)),
	        0);
	assert_non_null(strstr(out, "\"outcome\":\"succeeded\""));
}

/* A child in its own UTS namespace with its own host name; the probe joins it. */
static void test_probe_priv_setns_joins_victim_namespace(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWUTS) < 0 && unshare(CLONE_NEWUSER | CLONE_NEWUTS) < 0)
			_exit(77);
		if (sethostname("cordon-ppp-uts", 14) < 0)
			_exit(78);
		(void)!write(p[1], "R", 1);
		for (;;)
			pause();
	}
	close(p[1]);
	char c = 0, spid[16];
	if (read(p[0], &c, 1) != 1) {
		waitpid(pid, NULL, 0);
		tu_skip("cannot make a UTS namespace here");
	}
	close(p[0]);
	snprintf(spid, sizeof(spid), "%d", (int)pid);
	struct tu_result r = ppp_run("priv_setns", spid, "uts");
	if (geteuid() == 0) {
		ppp_check(&r, "priv.setns", "succeeded", NULL);
		assert_non_null(strstr(r.out, "\"hostname\":\"cordon-ppp-uts\""));
	}
	tu_result_free(&r);
	uid_t uid;
	gid_t gid;
	if (have_user(&uid, &gid)) {
		r = ppp_run_user(uid, gid, "priv_setns", spid, "uts");
		ppp_check(&r, "priv.setns", "refused",
		          "EACCES"); /* /proc/PID/ns needs ptrace rights */
		tu_result_free(&r);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_probe_priv_ioperm_root_only(void **state)
{
	(void)state;
	struct tu_result r = ppp_run("priv_ioperm");
	if (strstr(r.out, "ENOSYS")) {
		ppp_check(&r, "priv.ioperm", "refused", "ENOSYS");
		tu_result_free(&r);
		tu_skip("kernel without ioperm (CONFIG_X86_IOPL_IOPERM off): only ENOSYS shows");
	}
	if (geteuid() == 0)
		ppp_check(&r, "priv.ioperm", "succeeded", NULL);
	tu_result_free(&r);
	uid_t uid;
	gid_t gid;
	if (have_user(&uid, &gid)) {
		r = ppp_run_user(uid, gid, "priv_ioperm");
		ppp_check(&r, "priv.ioperm", "refused", "EPERM");
		tu_result_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_probe_priv_setuid_exec_gains_owner_euid),
	        cmocka_unit_test(test_probe_priv_caps_matches_status),
	        cmocka_unit_test(test_probe_priv_chroot_root_only),
	        cmocka_unit_test(test_probe_priv_pivot_root_reached_only_as_root),
	        cmocka_unit_test(test_probe_priv_init_module_garbage_never_loads),
	        cmocka_unit_test(test_probe_priv_kexec_load_invalid_segments),
	        cmocka_unit_test(test_probe_priv_bpf_follows_sysctl),
	        cmocka_unit_test(test_probe_priv_perf_event_open_follows_paranoid),
	        cmocka_unit_test(test_probe_priv_userfaultfd_follows_sysctl),
	        cmocka_unit_test(test_probe_priv_personality_sets_read_implies_exec),
	        cmocka_unit_test(test_probe_priv_nnp_clear_always_einval),
	        cmocka_unit_test(test_probe_priv_seccomp_mode_strict_unless_filtered),
	        cmocka_unit_test(test_probe_priv_ptrace_rewrite_runs_or_is_rechecked),
	        cmocka_unit_test(test_probe_priv_tioclinux_reaches_non_console),
	        cmocka_unit_test(test_probe_priv_sysctl_write_open_only),
	        cmocka_unit_test(test_probe_priv_abi_entries_reach_keyctl),
	        cmocka_unit_test(test_probe_priv_abi_entries_agree_unconfined),
	        cmocka_unit_test(test_probe_priv_int80_bypasses_naive_filter),
	        cmocka_unit_test(test_probe_priv_highbits_bypass_64bit_compare),
	        cmocka_unit_test(test_probe_priv_setns_joins_victim_namespace),
	        cmocka_unit_test(test_probe_priv_ioperm_root_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
