/* Unit tests of the plan builder, without privileges: ops in application order for a temporary
 * workspace (a .git directory, a gitdir file, absent names, deny-read paths), profiles,
 * sessions, and the refuse-or-degrade decision on hand-made hosts. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "plan.h"
#include "testutil.h"

struct fixture {
	char *root, *home, *ws, *wt, *repo;
	char *old_home, *old_xdg;
};

static char *sub(const char *dir, const char *name)
{
	char *p = cordon_path_join(dir, name);
	assert_non_null(p);
	return p;
}

static void make_dir(const char *dir, const char *name)
{
	cleanup_free char *p = sub(dir, name);
	assert_int_equal(mkdir(p, 0700), 0);
}

static void make_file(const char *dir, const char *name, const char *text)
{
	cleanup_free char *p = sub(dir, name);
	assert_int_equal(tu_write_file(p, text), 0);
}

static void restore_env(const char *name, const char *old)
{
	if (old)
		setenv(name, old, 1);
	else
		unsetenv(name);
}

/* root/home (.ssh dir, .netrc file), root/ws (.git dir, .agents file), root/repo/.git with a
 * worktree root/wt whose .git file points into it. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *tmp = tu_tmpdir("cordon-plan", (uid_t)-1, (gid_t)-1);
	if (!f || !tmp)
		return -1;
	f->root = realpath(tmp, NULL);
	free(tmp);
	f->home = sub(f->root, "home");
	f->ws = sub(f->root, "ws");
	f->wt = sub(f->root, "wt");
	f->repo = sub(f->root, "repo");
	make_dir(f->root, "home");
	make_dir(f->home, ".ssh");
	make_file(f->home, ".netrc", "machine x\n");
	make_dir(f->root, "ws");
	make_dir(f->ws, ".git");
	make_file(f->ws, ".agents", "");
	make_dir(f->root, "repo");
	make_dir(f->repo, ".git");
	make_dir(f->repo, ".git/worktrees");
	make_dir(f->repo, ".git/worktrees/wt");
	make_file(f->repo, ".git/worktrees/wt/commondir", "../..\n");
	make_dir(f->root, "wt");
	make_file(f->wt, ".git", "gitdir: ../repo/.git/worktrees/wt\n");
	const char *h = getenv("HOME"), *x = getenv("XDG_RUNTIME_DIR");
	f->old_home = h ? strdup(h) : NULL;
	f->old_xdg = x ? strdup(x) : NULL;
	setenv("HOME", f->home, 1);
	unsetenv("XDG_RUNTIME_DIR");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	restore_env("HOME", f->old_home);
	restore_env("XDG_RUNTIME_DIR", f->old_xdg);
	tu_rm_rf(f->root);
	free(f->root);
	free(f->home);
	free(f->ws);
	free(f->wt);
	free(f->repo);
	free(f->old_home);
	free(f->old_xdg);
	free(f);
	return 0;
}

/* A host with everything this project uses (Landlock ABI 7, user namespaces, ...). */
static void host_full(struct cordon_host *h)
{
	memset(h, 0, sizeof(*h));
	h->uid = getuid();
	h->gid = getgid();
	strcpy(h->kernel, "6.8.0");
	h->userns = true;
	h->landlock_abi = 7;
	h->seccomp_filter = h->seccomp_notify = h->mount_api = true;
	h->cgroup = CORDON_CGROUP_NONE;
	h->io_uring_disabled = h->legacy_tiocsti = -1;
	h->net_helper = "/usr/bin/pasta";
}

/* A host with neither user namespaces nor Landlock (Ubuntu 24.04's AppArmor restriction). */
static void host_bare(struct cordon_host *h)
{
	host_full(h);
	h->userns = false;
	strcpy(h->userns_why, "unprivileged user namespaces are disabled "
	                      "(kernel.apparmor_restrict_unprivileged_userns=1): run `sysctl -w "
	                      "kernel.apparmor_restrict_unprivileged_userns=0`");
	h->landlock_abi = 0;
	strcpy(h->landlock_why, "Landlock is not enabled");
}

/* A finalized policy for workspace ws plus key/value pairs (NULL-terminated). */
static cordon_policy *policy_for(const char *ws, ...)
{
	cordon_policy *p = cordon_policy_new();
	cordon_error err = {0};
	assert_int_equal(cordon_policy_set(p, "workspace", ws, &err), 0);
	va_list ap;
	va_start(ap, ws);
	const char *k;
	while ((k = va_arg(ap, const char *))) {
		const char *v = va_arg(ap, const char *);
		assert_int_equal(cordon_policy_set(p, k, v, &err), 0);
	}
	va_end(ap);
	if (cordon_policy_finalize(p, &err) < 0)
		fail_msg("finalize: %s", err.msg);
	return p;
}

static struct cordon_plan *build_ok(const cordon_policy *p, const struct cordon_host *h)
{
	struct cordon_plan *plan = NULL;
	cordon_error err = {0};
	if (cordon_plan_build(p, h, &plan, &err) < 0)
		fail_msg("plan: %s", err.msg);
	assert_non_null(plan);
	return plan;
}

static const struct cordon_op *find_op(const struct cordon_plan *pl, enum cordon_op_kind kind,
                                       const char *path)
{
	for (size_t i = 0; i < pl->n_ops; i++)
		if (pl->ops[i].kind == kind && (!path || strcmp(pl->ops[i].path, path) == 0))
			return &pl->ops[i];
	return NULL;
}

static const struct cordon_op *find_op_in(const struct cordon_plan *pl, enum cordon_op_kind kind,
                                          const char *dir, const char *name)
{
	cleanup_free char *path = sub(dir, name);
	return find_op(pl, kind, path);
}

static const struct cordon_rule *find_rule(const struct cordon_plan *pl, const char *name)
{
	for (size_t i = 0; i < pl->n_rules; i++)
		if (strcmp(pl->rules[i].name, name) == 0)
			return &pl->rules[i];
	return NULL;
}

static void test_plan_ops_in_order(void **state)
{
	struct fixture *f = *state;
	struct cordon_host h;
	host_full(&h);
	cordon_policy *p = policy_for(f->ws, NULL);
	struct cordon_plan *pl = build_ok(p, &h);

	assert_true(pl->n_ops >= 8);
	assert_int_equal(pl->ops[0].kind, CORDON_OP_READONLY_ROOT);
	assert_int_equal(pl->ops[1].kind, CORDON_OP_BIND_RW);
	assert_string_equal(pl->ops[1].path, f->ws);
	assert_int_equal(pl->ops[pl->n_ops - 4].kind, CORDON_OP_TMP);
	assert_int_equal(pl->ops[pl->n_ops - 3].kind, CORDON_OP_SHM);
	assert_int_equal(pl->ops[pl->n_ops - 2].kind, CORDON_OP_DEV);
	assert_int_equal(pl->ops[pl->n_ops - 1].kind, CORDON_OP_PROC);
	assert_null(pl->ops[pl->n_ops - 4].source); /* no session: a fresh tmpfs */
	assert_null(pl->session_dir);

	const struct cordon_op *git = find_op_in(pl, CORDON_OP_PROTECT, f->ws, ".git");
	assert_non_null(git);
	assert_true(git->is_dir);
	assert_null(git->gitdir_of);
	const struct cordon_op *agents = find_op_in(pl, CORDON_OP_PROTECT, f->ws, ".agents");
	assert_non_null(agents);
	assert_false(agents->is_dir);
	assert_non_null(find_op_in(pl, CORDON_OP_PROTECT_ABSENT, f->ws, ".codex"));
	assert_non_null(find_op_in(pl, CORDON_OP_PROTECT_ABSENT, f->ws, ".cordon"));

	/* deny-read: what exists is hidden, the missing defaults are skipped */
	assert_int_equal(cordon_plan_count(pl, CORDON_OP_HIDE), 2);
	const struct cordon_op *ssh = find_op_in(pl, CORDON_OP_HIDE, f->home, ".ssh");
	const struct cordon_op *netrc = find_op_in(pl, CORDON_OP_HIDE, f->home, ".netrc");
	assert_non_null(ssh);
	assert_true(ssh->is_dir);
	assert_non_null(netrc);
	assert_false(netrc->is_dir);
	assert_null(find_op_in(pl, CORDON_OP_HIDE, f->home, ".aws"));

	/* protect after bind, hide after protect */
	assert_true(git > &pl->ops[1] && ssh > agents && ssh < &pl->ops[pl->n_ops - 4]);

	unsigned want = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
	                CLONE_NEWNET;
	assert_int_equal(pl->clone_flags, want);
	assert_true(pl->use_userns && pl->use_netns && pl->use_landlock && pl->use_seccomp);
	for (size_t i = 0; i < pl->n_rules; i++)
		if (pl->rules[i].state != CORDON_ENFORCED)
			fail_msg("rule %s not enforced on a full host: %s", pl->rules[i].name,
			         pl->rules[i].why);
	cordon_plan_free(pl);
	cordon_policy_free(p);
}

static void test_plan_gitdir_file(void **state)
{
	struct fixture *f = *state;
	struct cordon_host h;
	host_full(&h);
	cordon_policy *p = policy_for(f->wt, NULL);
	struct cordon_plan *pl = build_ok(p, &h);

	cleanup_free char *git_file = sub(f->wt, ".git");
	const struct cordon_op *file = find_op(pl, CORDON_OP_PROTECT, git_file);
	assert_non_null(file);
	assert_false(file->is_dir);
	cleanup_free char *gitdir = sub(f->repo, ".git/worktrees/wt");
	const struct cordon_op *target = find_op(pl, CORDON_OP_PROTECT, gitdir);
	assert_non_null(target);
	assert_true(target->is_dir);
	assert_string_equal(target->gitdir_of, git_file);
	cleanup_free char *common = sub(f->repo, ".git");
	const struct cordon_op *common_op = find_op(pl, CORDON_OP_PROTECT, common);
	assert_non_null(common_op);
	assert_string_equal(common_op->gitdir_of, git_file);
	cordon_plan_free(pl);
	cordon_policy_free(p);
}

static void test_plan_user_protect(void **state)
{
	struct fixture *f = *state;
	struct cordon_host h;
	host_full(&h);
	make_file(f->ws, "secret.txt", "s");
	cleanup_free char *file = sub(f->ws, "secret.txt");
	cleanup_free char *absent = sub(f->ws, "build/out");
	cordon_policy *p = policy_for(f->ws, "protect", file, "protect", absent, NULL);
	struct cordon_plan *pl = build_ok(p, &h);
	const struct cordon_op *op = find_op(pl, CORDON_OP_PROTECT, file);
	assert_non_null(op);
	assert_false(op->is_dir);
	assert_non_null(find_op(pl, CORDON_OP_PROTECT_ABSENT, absent));
	cordon_plan_free(pl);
	cordon_policy_free(p);
}

static void test_plan_refuses_without_userns(void **state)
{
	struct fixture *f = *state;
	struct cordon_host h;
	host_bare(&h);
	cordon_policy *p = policy_for(f->ws, NULL);
	struct cordon_plan *pl = NULL;
	cordon_error err = {0};
	assert_int_equal(cordon_plan_build(p, &h, &pl, &err), -ENOTSUP);
	assert_null(pl);
	assert_non_null(strstr(err.msg, "apparmor_restrict_unprivileged_userns=0"));
	assert_non_null(strstr(err.msg, "--best-effort"));
	assert_null(strchr(err.msg, '\n'));
	cordon_policy_free(p);

	p = policy_for(f->ws, "best-effort", "true", NULL);
	pl = build_ok(p, &h);
	assert_int_equal(pl->n_ops, 0); /* nothing can be mounted: no op pretends otherwise */
	assert_int_equal(pl->clone_flags, 0);
	assert_false(pl->use_userns || pl->use_netns || pl->use_landlock);
	const struct cordon_rule *files = find_rule(pl, "files");
	assert_non_null(files);
	assert_int_equal(files->state, CORDON_NOT_ENFORCED);
	assert_true(files->required);
	assert_non_null(strstr(files->why, "user namespaces"));
	assert_int_equal(find_rule(pl, "network")->state, CORDON_NOT_ENFORCED);
	/* the environment filter needs nothing from the kernel */
	assert_int_equal(find_rule(pl, "environment")->state, CORDON_ENFORCED);
	cordon_plan_free(pl);
	cordon_policy_free(p);
}

/* Debian 12's kernel (Landlock ABI 2): truncate rights and signal scoping are missing, but a
 * plan that passes nothing in from outside needs neither: every rule holds. */
static void test_plan_old_landlock_default_plan_runs(void **state)
{
	struct fixture *f = *state;
	struct cordon_host h;
	host_full(&h);
	h.landlock_abi = 2;
	cordon_policy *p = policy_for(f->ws, NULL);
	struct cordon_plan *pl = build_ok(p, &h);
	for (size_t i = 0; i < pl->n_rules; i++)
		if (pl->rules[i].required && pl->rules[i].state != CORDON_ENFORCED)
			fail_msg("rule %s not enforced on ABI 2: %s", pl->rules[i].name,
			         pl->rules[i].why);
	assert_non_null(strstr(find_rule(pl, "files")->mechanism, "Landlock ABI 2"));
	assert_non_null(strstr(find_rule(pl, "processes")->mechanism, "PID namespace"));
	assert_true(pl->use_landlock);
	cordon_plan_free(pl);
	cordon_policy_free(p);

	/* network on: abstract sockets are refused by the supervisor, not only by Landlock */
	p = policy_for(f->ws, "network", "on", NULL);
	pl = build_ok(p, &h);
	assert_int_equal(find_rule(pl, "unix sockets")->state, CORDON_ENFORCED);
	cordon_plan_free(pl);
	cordon_policy_free(p);
}

/* A kept directory reaches outside the mounts (truncate needs ABI 3): refused, naming the cause;
 * a kept descriptor that is not open now may be a directory. A pidfd is covered by the PID
 * namespace on any ABI. */
static void test_plan_old_landlock_refuses_what_the_plan_exposes(void **state)
{
	struct fixture *f = *state;
	struct cordon_host h;
	host_full(&h);
	h.landlock_abi = 2;
	h.seccomp_notify = false; /* a second missing mechanism: both must be named */
	int dir = open(f->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dir > 2);
	char num[16];
	snprintf(num, sizeof(num), "%d", dir);
	cordon_policy *p = policy_for(f->ws, "keep-fd", num, NULL);
	struct cordon_plan *pl = NULL;
	cordon_error err = {0};
	assert_int_equal(cordon_plan_build(p, &h, &pl, &err), -ENOTSUP);
	assert_null(pl);
	assert_non_null(strstr(err.msg, "files: "));
	assert_non_null(strstr(err.msg, "truncate"));
	assert_non_null(strstr(err.msg, "protected paths: "));
	assert_non_null(strstr(err.msg, "notification"));
	assert_null(strstr(err.msg, "processes: "));
	assert_non_null(strstr(err.msg, "--best-effort"));
	assert_null(strchr(err.msg, '\n'));
	cordon_policy_free(p);
	close(dir);
	h.seccomp_notify = true;

	dir = open(f->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dir > 2);
	snprintf(num, sizeof(num), "%d", dir);
	p = policy_for(f->ws, "keep-fd", num, "best-effort", "on", NULL);
	pl = build_ok(p, &h);
	assert_int_equal(find_rule(pl, "files")->state, CORDON_NOT_ENFORCED);
	assert_int_equal(find_rule(pl, "processes")->state, CORDON_ENFORCED);
	cordon_plan_free(pl);
	cordon_policy_free(p);

	/* explain prints the whole plan anyway, the refused rule marked, and the verdict */
	p = policy_for(f->ws, "keep-fd", num, NULL);
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	assert_non_null(mem);
	assert_int_equal(cordon_plan_explain(p, &h, mem, &err), -ENOTSUP);
	fclose(mem);
	assert_non_null(strstr(text, "[refused] writes only beneath"));
	assert_non_null(strstr(text, "[enforced] descriptors above 2 closed"));
	assert_non_null(strstr(text, "\nrun: refused (files: "));
	free(text);
	cordon_policy_free(p);

	h.landlock_abi = 3; /* truncate rights: the same plan holds */
	p = policy_for(f->ws, "keep-fd", num, NULL);
	pl = build_ok(p, &h);
	cordon_plan_free(pl);
	cordon_policy_free(p);
	close(dir);

	/* a kept descriptor that is not open here (a --warm server, explain) plans for none */
	h.landlock_abi = 2;
	p = policy_for(f->ws, "keep-fd", "987", NULL);
	pl = build_ok(p, &h);
	cordon_plan_free(pl);
	cordon_policy_free(p);
}

static void test_plan_missing_notify_refuses_absent_names(void **state)
{
	struct fixture *f = *state;
	struct cordon_host h;
	host_full(&h);
	h.seccomp_notify = false;
	cordon_policy *p = policy_for(f->ws, "network", "on", NULL);
	struct cordon_plan *pl = NULL;
	cordon_error err = {0};
	assert_int_equal(cordon_plan_build(p, &h, &pl, &err), -ENOTSUP);
	assert_non_null(strstr(err.msg, "protected paths"));
	assert_non_null(strstr(err.msg, "notification"));
	cordon_policy_free(p);
}

static void test_plan_full_access(void **state)
{
	struct fixture *f = *state;
	struct cordon_host h;
	host_full(&h);
	cordon_policy *p = policy_for(f->ws, "profile", "full-access", NULL);
	struct cordon_plan *pl = build_ok(p, &h);
	assert_int_equal(cordon_plan_count(pl, CORDON_OP_READONLY_ROOT), 0);
	assert_int_equal(cordon_plan_count(pl, CORDON_OP_BIND_RW), 0);
	assert_int_equal(cordon_plan_count(pl, CORDON_OP_PROTECT), 0);
	assert_int_equal(cordon_plan_count(pl, CORDON_OP_PROTECT_ABSENT), 0);
	assert_int_equal(cordon_plan_count(pl, CORDON_OP_TMP), 1);
	assert_int_equal(cordon_plan_count(pl, CORDON_OP_PROC), 1);
	assert_int_equal(cordon_plan_count(pl, CORDON_OP_DEV), 1);
	assert_non_null(find_rule(pl, "network")); /* the other rules stay */
	assert_false(find_rule(pl, "files")->required);
	assert_null(find_rule(pl, "protected paths"));
	assert_true(pl->clone_flags & CLONE_NEWNET);
	cordon_plan_free(pl);
	cordon_policy_free(p);
}

static void test_plan_read_only(void **state)
{
	struct fixture *f = *state;
	struct cordon_host h;
	host_full(&h);
	cleanup_free char *extra = sub(f->root, "repo");
	cordon_policy *p = policy_for(f->ws, "profile", "read-only", "writable", extra, NULL);
	struct cordon_plan *pl = build_ok(p, &h);
	assert_int_equal(pl->ops[0].kind, CORDON_OP_READONLY_ROOT);
	assert_int_equal(cordon_plan_count(pl, CORDON_OP_BIND_RW), 0);
	assert_int_equal(cordon_plan_count(pl, CORDON_OP_PROTECT_ABSENT), 0);
	assert_int_equal(cordon_plan_count(pl, CORDON_OP_TMP), 1);
	assert_non_null(strstr(find_rule(pl, "files")->rule, "read-only"));
	cordon_plan_free(pl);
	cordon_policy_free(p);
}

static void test_plan_session_dirs(void **state)
{
	struct fixture *f = *state;
	struct cordon_host h;
	host_full(&h);
	h.uid = 4321;
	cordon_policy *p = policy_for(f->ws, "session", "s1", NULL);
	struct cordon_plan *pl = build_ok(p, &h);
	assert_string_equal(pl->session_dir, "/tmp/cordon-4321/sessions/s1");
	assert_string_equal(find_op(pl, CORDON_OP_TMP, NULL)->source,
	                    "/tmp/cordon-4321/sessions/s1/tmp");
	assert_string_equal(find_op(pl, CORDON_OP_SHM, NULL)->source,
	                    "/tmp/cordon-4321/sessions/s1/shm");
	assert_string_equal(find_op(pl, CORDON_OP_TMP, NULL)->path, "/tmp");
	assert_string_equal(find_op(pl, CORDON_OP_SHM, NULL)->path, "/dev/shm");
	cordon_plan_free(pl);

	setenv("XDG_RUNTIME_DIR", "/run/user/4321", 1);
	pl = build_ok(p, &h);
	assert_string_equal(pl->session_dir, "/run/user/4321/cordon/sessions/s1");
	assert_string_equal(find_op(pl, CORDON_OP_TMP, NULL)->source,
	                    "/run/user/4321/cordon/sessions/s1/tmp");
	cordon_plan_free(pl);
	cordon_policy_free(p);
}

static void test_plan_network_on(void **state)
{
	struct fixture *f = *state;
	struct cordon_host h;
	host_full(&h);
	/* With pasta: a namespace of its own, which pasta connects (issue 18: abstract names). */
	cordon_policy *p = policy_for(f->ws, "network", "on", NULL);
	struct cordon_plan *pl = build_ok(p, &h);
	assert_true(pl->clone_flags & CLONE_NEWNET);
	assert_true(pl->clone_flags & CLONE_NEWPID);
	assert_true(pl->use_netns);
	assert_true(pl->net_helper);
	assert_int_equal(find_rule(pl, "network")->state, CORDON_ENFORCED);
	assert_non_null(strstr(find_rule(pl, "network")->mechanism, "pasta"));
	assert_non_null(strstr(find_rule(pl, "unix sockets")->mechanism, "network namespace"));
	cordon_plan_free(pl);
	cordon_policy_free(p);

	/* Without it: refused, naming the package... */
	h.net_helper = NULL;
	strcpy(h.net_helper_why, "pasta is not installed (Debian package passt)");
	p = policy_for(f->ws, "network", "on", NULL);
	cordon_error err = {0};
	pl = NULL;
	assert_int_equal(cordon_plan_build(p, &h, &pl, &err), -ENOTSUP);
	assert_non_null(strstr(err.msg, "passt"));
	cordon_policy_free(p);

	/* ...or, best effort, the host's namespace, and explain says what that leaves open. */
	p = policy_for(f->ws, "network", "on", "best-effort", "true", NULL);
	pl = build_ok(p, &h);
	assert_false(pl->clone_flags & CLONE_NEWNET);
	assert_false(pl->use_netns);
	assert_false(pl->net_helper);
	assert_int_equal(find_rule(pl, "network")->state, CORDON_NOT_ENFORCED);
	assert_non_null(strstr(find_rule(pl, "network")->why, "bind"));
	assert_non_null(strstr(find_rule(pl, "unix sockets")->mechanism, "Landlock"));
	cordon_plan_free(pl);
	cordon_policy_free(p);
}

static void test_plan_limit_rules(void **state)
{
	struct fixture *f = *state;
	struct cordon_host h;
	host_full(&h);
	cordon_policy *p =
	        policy_for(f->ws, "memory", "100M", "pids", "50", "cpu", "5", "file-size", "1M",
	                   "open-files", "64", "timeout", "2.5", NULL);
	/* RLIMIT_AS holds each process, not the tree: refused like any missing mechanism */
	struct cordon_plan *pl = NULL;
	cordon_error err = {0};
	assert_int_equal(cordon_plan_build(p, &h, &pl, &err), -ENOTSUP);
	assert_non_null(strstr(err.msg, "memory: RLIMIT_AS only"));
	assert_non_null(strstr(err.msg, "--best-effort"));
	cordon_policy_free(p);
	p = policy_for(f->ws, "memory", "100M", "pids", "50", "cpu", "5", "file-size", "1M",
	               "open-files", "64", "timeout", "2.5", "best-effort", "on", NULL);
	pl = build_ok(p, &h);
	const struct cordon_rule *mem = find_rule(pl, "memory");
	assert_non_null(mem);
	assert_int_equal(mem->state, CORDON_DEGRADED);
	assert_true(mem->required);
	assert_non_null(strstr(mem->why, "RLIMIT_AS only"));
	const struct cordon_rule *pids = find_rule(pl, "pids");
	assert_int_equal(pids->state, CORDON_ENFORCED);
	assert_non_null(strstr(pids->mechanism, "RLIMIT_NPROC"));
	assert_non_null(find_rule(pl, "cpu"));
	assert_non_null(strstr(find_rule(pl, "file-size")->rule, "1M"));
	assert_non_null(find_rule(pl, "open-files"));
	assert_non_null(strstr(find_rule(pl, "timeout")->rule, "2.5s"));
	cordon_plan_free(pl);

	h.cgroup = CORDON_CGROUP_V2;
	strcpy(h.cgroup_dir, "/sys/fs/cgroup/user.slice/cordon");
	pl = build_ok(p, &h);
	assert_int_equal(find_rule(pl, "memory")->state, CORDON_ENFORCED);
	assert_non_null(strstr(find_rule(pl, "memory")->mechanism, "cgroup v2"));
	assert_non_null(strstr(find_rule(pl, "pids")->mechanism, "cgroup v2"));
	cordon_plan_free(pl);
	cordon_policy_free(p);

	p = policy_for(f->ws, NULL);
	pl = build_ok(p, &h);
	assert_null(find_rule(pl, "memory")); /* no limit, no rule */
	assert_null(find_rule(pl, "timeout"));
	cordon_plan_free(pl);
	cordon_policy_free(p);
}

static void test_plan_print(void **state)
{
	struct fixture *f = *state;
	struct cordon_host h;
	host_full(&h);
	cordon_policy *p = policy_for(f->ws, NULL);
	struct cordon_plan *pl = build_ok(p, &h);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_non_null(out);
	assert_int_equal(cordon_plan_print(pl, out), 0);
	fclose(out);
	cleanup_free char *bind = NULL, *git = NULL, *codex = NULL, *rule = NULL;
	assert_true(asprintf(&bind, "\n  bind-rw   %s\n", f->ws) > 0);
	assert_true(asprintf(&git, "\n  protect   %s/.git (dir)\n", f->ws) > 0);
	assert_true(asprintf(&codex, "\n  refuse-create %s/.codex\n", f->ws) > 0);
	assert_true(asprintf(&rule, "[enforced] writes only beneath %s, /tmp", f->ws) > 0);
	const char *want[] = {bind, git, codex, rule, "Landlock ABI 7", "[enforced] no network"};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		if (!strstr(buf, want[i]))
			fail_msg("explain lacks '%s':\n%s", want[i], buf);
	free(buf);
	cordon_plan_free(pl);
	cordon_policy_free(p);
}

/* What git runs from the workspace (gitscan.c) becomes ops that say why, explain prints the
 * why, and the fingerprint changes when such a path appears. */
static void test_plan_git_paths_explained(void **state)
{
	struct fixture *f = *state;
	struct cordon_host h;
	host_full(&h);
	make_file(f->ws, ".git/config",
	          "[core]\n\thooksPath = .husky\n"
	          "[include]\n\tpath = ../team.cfg\n");
	make_dir(f->ws, ".husky");
	make_dir(f->ws, "sub");
	make_dir(f->ws, "sub/.git");
	cordon_policy *p = policy_for(f->ws, NULL);
	struct cordon_plan *pl = build_ok(p, &h);
	const struct cordon_op *husky = find_op_in(pl, CORDON_OP_PROTECT, f->ws, ".husky");
	const struct cordon_op *team = find_op_in(pl, CORDON_OP_PROTECT_ABSENT, f->ws, "team.cfg");
	const struct cordon_op *nested = find_op_in(pl, CORDON_OP_PROTECT, f->ws, "sub/.git");
	assert_non_null(husky);
	assert_non_null(team);
	assert_non_null(nested);
	assert_true(husky->is_dir && nested->is_dir);
	assert_non_null(strstr(team->why, "include.path in "));

	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_non_null(out);
	assert_int_equal(cordon_plan_print(pl, out), 0);
	fclose(out);
	cleanup_free char *want = NULL;
	assert_true(asprintf(&want,
	                     "\n  protect   %s/.husky (dir, core.hookspath in %s/.git/config)\n",
	                     f->ws, f->ws) > 0);
	if (!strstr(buf, want) || !strstr(buf, "\ngit: 2 repositories read"))
		fail_msg("explain lacks '%s' or the git line:\n%s", want, buf);
	free(buf);

	char *fp1 = NULL, *fp2 = NULL;
	size_t n1 = 0, n2 = 0;
	assert_int_equal(cordon_plan_fingerprint(pl, &fp1, &n1), 0);
	cordon_plan_free(pl);
	make_file(f->ws, "team.cfg", "");
	pl = build_ok(p, &h);
	assert_non_null(find_op_in(pl, CORDON_OP_PROTECT, f->ws, "team.cfg"));
	assert_int_equal(cordon_plan_fingerprint(pl, &fp2, &n2), 0);
	assert_false(n1 == n2 && memcmp(fp1, fp2, n1) == 0);
	free(fp1);
	free(fp2);
	cordon_plan_free(pl);
	cordon_policy_free(p);
}

static void test_plan_needs_finalized_policy(void **state)
{
	(void)state;
	struct cordon_host h;
	host_full(&h);
	cordon_policy *p = cordon_policy_new();
	struct cordon_plan *pl = NULL;
	cordon_error err = {0};
	assert_int_equal(cordon_plan_build(p, &h, &pl, &err), -EINVAL);
	assert_null(pl);
	assert_non_null(strstr(err.msg, "finalized"));
	cordon_policy_free(p);
}

/* The fingerprint (the warm path's key) changes when a directory on the way to a protected
 * name is replaced, even though the name itself is absent both times: a sandbox prepared
 * before knows the old directory, not the new one. */
static void fingerprint_of(const cordon_policy *p, const struct cordon_host *h, char **out,
                           size_t *len)
{
	struct cordon_plan *pl = build_ok(p, h);
	assert_int_equal(cordon_plan_fingerprint(pl, out, len), 0);
	cordon_plan_free(pl);
}

static void test_plan_fingerprint_protected_dirs(void **state)
{
	struct fixture *f = *state;
	struct cordon_host h;
	host_full(&h);
	make_dir(f->ws, "deep");
	cleanup_free char *deep = sub(f->ws, "deep");
	cleanup_free char *moved = sub(f->ws, "deep.old");
	cleanup_free char *key = sub(f->ws, "deep/.key");
	cordon_policy *p = policy_for(f->ws, "protect", key, NULL);
	cleanup_free char *a = NULL, *b = NULL, *c = NULL;
	size_t la = 0, lb = 0, lc = 0;
	fingerprint_of(p, &h, &a, &la);
	fingerprint_of(p, &h, &b, &lb);
	assert_true(la == lb && memcmp(a, b, la) == 0); /* nothing changed: the same */
	assert_int_equal(rename(deep, moved), 0);
	make_dir(f->ws, "deep");
	fingerprint_of(p, &h, &c, &lc);
	assert_false(la == lc && memcmp(a, c, la) == 0);
	cordon_policy_free(p);
}

static void make_link(const char *dir, const char *name, const char *target)
{
	cleanup_free char *p = sub(dir, name);
	assert_int_equal(symlink(target, p), 0);
}

static const struct cordon_op *assert_protect(const struct cordon_plan *pl, const char *dir,
                                              const char *name, bool is_link, bool is_dir)
{
	const struct cordon_op *op = find_op_in(pl, CORDON_OP_PROTECT, dir, name);
	if (!op)
		fail_msg("no protect op for %s/%s", dir, name);
	assert_int_equal(op->is_link, is_link);
	assert_int_equal(op->is_dir, is_dir);
	return op;
}

/* Issue 11, class 4: a protected name that is a symlink is bound over itself (so it can be
 * neither removed nor replaced) and what it leads to is protected too; a gitdir path that goes
 * through a symlink in the workspace protects that symlink. */
static void test_plan_protected_symlinks(void **state)
{
	struct fixture *f = *state;
	struct cordon_host h;
	host_full(&h);
	make_dir(f->root, "ws2");
	cleanup_free char *ws2 = sub(f->root, "ws2");
	make_link(ws2, ".git", "../repo/.git");
	make_file(ws2, "notes.txt", "n");
	make_link(ws2, ".codex", "notes.txt");
	cordon_policy *p = policy_for(ws2, NULL);
	struct cordon_plan *pl = build_ok(p, &h);
	assert_protect(pl, ws2, ".git", true, false);
	assert_protect(pl, f->repo, ".git", false, true);
	assert_protect(pl, ws2, ".codex", true, false);
	assert_protect(pl, ws2, "notes.txt", false, false);
	assert_null(find_op_in(pl, CORDON_OP_PROTECT_ABSENT, ws2, ".git"));
	cordon_plan_free(pl);
	cordon_policy_free(p);

	/* gitdir: lnk/wt, where lnk is a symlink in the workspace */
	make_dir(f->root, "ws3");
	cleanup_free char *ws3 = sub(f->root, "ws3");
	make_link(ws3, "lnk", "../repo/.git/worktrees");
	make_file(ws3, ".git", "gitdir: lnk/wt\n");
	p = policy_for(ws3, NULL);
	pl = build_ok(p, &h);
	cleanup_free char *git_file = sub(ws3, ".git");
	assert_protect(pl, ws3, ".git", false, false);
	const struct cordon_op *link = assert_protect(pl, ws3, "lnk", true, false);
	assert_string_equal(link->gitdir_of, git_file);
	cleanup_free char *worktrees = sub(f->repo, ".git/worktrees");
	assert_protect(pl, worktrees, "wt", false, true);
	assert_protect(pl, f->repo, ".git", false, true); /* its commondir */
	cordon_plan_free(pl);
	cordon_policy_free(p);
}

/* Issue 11, class 7: a workspace reached through a symlink in a directory the caller can write
 * (one a sandboxed command could have made) is refused, unless the caller says so. */
static void test_plan_root_through_symlink(void **state)
{
	struct fixture *f = *state;
	struct cordon_host h;
	host_full(&h);
	make_link(f->ws, "pkg", "../repo");
	cleanup_free char *pkg = sub(f->ws, "pkg");
	cordon_policy *p = cordon_policy_new();
	cordon_error err = {0};
	assert_int_equal(cordon_policy_set(p, "workspace", pkg, &err), 0);
	assert_int_equal(cordon_policy_finalize(p, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "--follow-root-symlinks"));
	assert_null(strchr(err.msg, '\n'));
	cordon_policy_free(p);

	cordon_policy *q = policy_for(pkg, "follow-root-symlinks", "true", NULL);
	assert_string_equal(q->workspace, f->repo);
	struct cordon_plan *pl = build_ok(q, &h);
	const struct cordon_rule *rule = find_rule(pl, "root symlinks");
	assert_non_null(rule);
	assert_int_equal(rule->state, CORDON_NOT_ENFORCED);
	assert_non_null(strstr(rule->rule, pkg));
	cordon_plan_free(pl);
	cordon_policy_free(q);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_plan_ops_in_order),
	        T(test_plan_gitdir_file),
	        T(test_plan_user_protect),
	        T(test_plan_refuses_without_userns),
	        T(test_plan_old_landlock_default_plan_runs),
	        T(test_plan_old_landlock_refuses_what_the_plan_exposes),
	        T(test_plan_missing_notify_refuses_absent_names),
	        T(test_plan_full_access),
	        T(test_plan_read_only),
	        T(test_plan_session_dirs),
	        T(test_plan_network_on),
	        T(test_plan_limit_rules),
	        T(test_plan_print),
	        T(test_plan_git_paths_explained),
	        T(test_plan_needs_finalized_policy),
	        T(test_plan_fingerprint_protected_dirs),
	        T(test_plan_protected_symlinks),
	        T(test_plan_root_through_symlink),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
