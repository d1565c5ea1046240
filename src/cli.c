/* The `cordon` command line (see cli.h). A table of options; each one either becomes a policy
 * setting of the same name or is one of the few the CLI keeps for itself (--policy, --help,
 * --version). Every option takes `--opt VALUE` and `--opt=VALUE`. */
#define _GNU_SOURCE
#include <string.h>

#include "cli.h"

static const char usage[] =
        "Usage: cordon run [OPTIONS] [--warm | --warm-only] -- COMMAND [ARG...]\n"
        "       cordon explain [OPTIONS]\n"
        "       cordon serve [OPTIONS] [--pool N]\n"
        "       cordon session rm|keep NAME...\n"
        "       cordon --help | --version\n"
        "\n"
        "Run COMMAND confined to its workspace: it may read almost anywhere, write only beneath\n"
        "writable roots and a private /tmp, never touch .git .cordon .codex .agents, and reach no\n"
        "network unless allowed. `explain` prints the plan and, for each rule, the kernel "
        "mechanism\n"
        "that enforces it on this host, or why it is not enforced. `serve` keeps sandboxes for\n"
        "these OPTIONS prepared, and runs with the same plan (and a --session, or --warm) hand\n"
        "their command to one instead of building their own; it prints its socket's path.\n"
        "\n"
        "Options:\n"
        "  --workspace DIR     writable root (default: the current directory)\n"
        "  --writable DIR      another writable root (repeatable)\n"
        "  --profile P         read-only | workspace-write (default) | full-access\n"
        "  --protect PATH      keep PATH read-only even inside a writable root (repeatable)\n"
        "  --deny-read PATH    hide PATH (repeatable); credential stores are hidden by default\n"
        "  --network off|on    default off\n"
        "  --session NAME      runs of one session share a private /tmp and /dev/shm;\n"
        "                      default: a fresh one per run\n"
        "  --timeout SECONDS   end the whole tree after SECONDS (fractions allowed); exit 124\n"
        "  --memory SIZE       memory limit (512, 64K, 100M, 2G)\n"
        "  --pids N            at most N processes\n"
        "  --cpu SECONDS       CPU time limit\n"
        "  --file-size SIZE    largest file the command may write\n"
        "  --open-files N      open descriptor limit\n"
        "  --tmp-size SIZE     size of the private /tmp and of /dev/shm, each (default 512M)\n"
        "  --tmp-inodes N      files in each of them (default 65536)\n"
        "  --inotify N         inotify instances for the whole sandbox (default 32)\n"
        "  --inotify-watches N inotify watches for the whole sandbox (default 16384)\n"
        "  --env-keep NAME     keep a variable the secret filter would drop (repeatable)\n"
        "  --keep-fd N         pass descriptor N through (all others above 2 are closed)\n"
        "  --policy FILE       the same settings from a file (key = value); flags win\n"
        "  --best-effort       run even where a mechanism is missing (explain lists what is not\n"
        "                      enforced)\n"
        "  --follow-root-symlinks  accept a workspace or writable root reached through a\n"
        "                      symlink in a directory you can write (refused by default)\n"
        "  --warm              run: through a server for this plan, starting one if none runs\n"
        "                      (it leaves after 120 s without a run)\n"
        "  --warm-only         run: the same, but exit 125 rather than build a sandbox of its\n"
        "                      own when no prepared one takes the run\n"
        "  --pool N            serve: keep N sandboxes prepared (1-16, default 2)\n"
        "  --ready-fd N        serve: write a byte to descriptor N once listening, and leave\n"
        "                      after 120 s without a run (how run --warm starts a server)\n"
        "  --help              this text\n"
        "  --version           the version\n"
        "\n"
        "Exit status: the command's own; 128+N if it died by signal N; 124 on timeout; 125 when\n"
        "cordon failed (nothing was started); 126 not executable; 127 not found.\n";

const char *cordon_cli_usage(void)
{
	return usage;
}

enum opt_kind {
	OPT_SETTING,   /* --name VALUE: cordon_policy_set(name, VALUE) */
	OPT_FLAG,      /* --name: cordon_policy_set(name, "true"); --name=VALUE also accepted */
	OPT_POLICY,    /* --policy FILE: recorded */
	OPT_WARM,      /* --warm: recorded (run only) */
	OPT_WARM_ONLY, /* --warm-only: --warm, and never cold */
	OPT_POOL,      /* --pool N: recorded (serve only) */
	OPT_READY,     /* --ready-fd N: recorded (serve only) */
	OPT_HELP,
	OPT_VERSION,
};

struct opt {
	const char *name;
	enum opt_kind kind;
};

static const struct opt opts[] = {
        {"workspace", OPT_SETTING},
        {"writable", OPT_SETTING},
        {"profile", OPT_SETTING},
        {"protect", OPT_SETTING},
        {"deny-read", OPT_SETTING},
        {"network", OPT_SETTING},
        {"session", OPT_SETTING},
        {"timeout", OPT_SETTING},
        {"memory", OPT_SETTING},
        {"pids", OPT_SETTING},
        {"cpu", OPT_SETTING},
        {"file-size", OPT_SETTING},
        {"open-files", OPT_SETTING},
        {"env-keep", OPT_SETTING},
        {"keep-fd", OPT_SETTING},
        {"best-effort", OPT_FLAG},
        {"policy", OPT_POLICY},
        {"help", OPT_HELP},
        {"version", OPT_VERSION},
        {"warm", OPT_WARM},
        {"warm-only", OPT_WARM_ONLY},
        {"pool", OPT_POOL},
        {"ready-fd", OPT_READY},
        {"tmp-size", OPT_SETTING},
        {"tmp-inodes", OPT_SETTING},
        {"inotify", OPT_SETTING},
        {"inotify-watches", OPT_SETTING},
        {"follow-root-symlinks", OPT_FLAG},
};

/* The option named by arg ("--name" or "--name=value"); *value points past '=' or is NULL. */
static const struct opt *opt_find(const char *arg, const char **value)
{
	const char *name = arg + 2;
	size_t len = strcspn(name, "=");
	*value = name[len] == '=' ? name + len + 1 : NULL;
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
		if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
			return &opts[i];
	return NULL;
}

/* Apply one option to the policy; a validator's message gets the flag's dashes. */
static int opt_apply(struct cordon_cli *cli, const struct opt *o, const char *value,
                     cordon_error *err)
{
	switch (o->kind) {
	case OPT_POLICY:
		if (!*value)
			return cordon_err(err, -EINVAL, "--policy: empty file name");
		if (cli->policy_file)
			return cordon_err(
			        err, -EINVAL,
			        "--policy: given twice ('%s' and '%s'): one policy file per "
			        "run",
			        cli->policy_file, value);
		cli->policy_file = value;
		return 0;
	case OPT_WARM:
	case OPT_WARM_ONLY:
		if (cli->command != CORDON_CLI_RUN)
			return cordon_err(err, -EINVAL, "--%s: only for run", o->name);
		cli->warm = true;
		cli->warm_only |= o->kind == OPT_WARM_ONLY;
		return 0;
	case OPT_POOL: {
		uint64_t n = 0;
		if (cli->command != CORDON_CLI_SERVE)
			return cordon_err(err, -EINVAL, "--pool: only for serve");
		if (cordon_parse_u64(value, &n) < 0 || n < 1 || n > CORDON_CLI_MAX_POOL)
			return cordon_err(err, -EINVAL, "--pool: '%s' is not a number from 1 to %d",
			                  value, CORDON_CLI_MAX_POOL);
		cli->pool = (unsigned)n;
		return 0;
	}
	case OPT_READY: {
		uint64_t n = 0;
		if (cli->command != CORDON_CLI_SERVE)
			return cordon_err(err, -EINVAL, "--ready-fd: only for serve");
		if (cordon_parse_u64(value, &n) < 0 || n < 3 || n > 1024)
			return cordon_err(err, -EINVAL,
			                  "--ready-fd: '%s' is not a descriptor above 2", value);
		cli->ready_fd = (int)n;
		return 0;
	}
	case OPT_HELP:
		cli->command = CORDON_CLI_HELP;
		return 0;
	case OPT_VERSION:
		cli->command = CORDON_CLI_VERSION;
		return 0;
	case OPT_SETTING:
	case OPT_FLAG:
	default: {
		cordon_error inner = {0};
		int r = cordon_policy_set(cli->policy, o->name, value, &inner);
		if (r < 0)
			return cordon_err(err, r, "--%s", inner.msg);
		return 0;
	}
	}
}

/* Parse one option at argv[*i], consuming its value; advances *i past what it used. */
static int parse_option(struct cordon_cli *cli, int argc, char **argv, int *i, cordon_error *err)
{
	const char *arg = argv[*i], *value = NULL;
	const struct opt *o = opt_find(arg, &value);
	if (!o)
		return cordon_err(err, -EINVAL, "unknown option '%.*s' (see cordon --help)",
		                  (int)strcspn(arg, "="), arg);
	(*i)++;
	/* What a server started for this run is given again: the policy's own options. */
	bool warm = o->kind == OPT_WARM || o->kind == OPT_WARM_ONLY;
	if (!warm)
		cli->opt_argv[cli->opt_argc++] = (char *)arg;
	if (value && (o->kind == OPT_HELP || o->kind == OPT_VERSION || warm))
		return cordon_err(err, -EINVAL, "--%s takes no value", o->name);
	if (!value && o->kind == OPT_FLAG)
		value = "true";
	if (!value && (o->kind == OPT_SETTING || o->kind == OPT_POLICY || o->kind == OPT_POOL ||
	               o->kind == OPT_READY)) {
		if (*i >= argc || strcmp(argv[*i], "--") == 0)
			return cordon_err(err, -EINVAL, "--%s: missing value", o->name);
		cli->opt_argv[cli->opt_argc++] = argv[*i];
		value = argv[(*i)++];
	}
	return opt_apply(cli, o, value ? value : "", err);
}

static int parse_command_word(struct cordon_cli *cli, const char *word, cordon_error *err)
{
	if (strcmp(word, "run") == 0)
		cli->command = CORDON_CLI_RUN;
	else if (strcmp(word, "explain") == 0)
		cli->command = CORDON_CLI_EXPLAIN;
	else if (strcmp(word, "serve") == 0)
		cli->command = CORDON_CLI_SERVE;
	else if (strcmp(word, "help") == 0 || strcmp(word, "-h") == 0)
		cli->command = CORDON_CLI_HELP;
	else if (strcmp(word, "version") == 0)
		cli->command = CORDON_CLI_VERSION;
	else
		return cordon_err(
		        err, -EINVAL,
		        "unknown command '%s': expected run, explain or serve (see cordon --help)",
		        word);
	return 0;
}

/* After the options: run needs `-- COMMAND...`, explain takes nothing more. */
static int parse_rest(struct cordon_cli *cli, int argc, char **argv, int i, cordon_error *err)
{
	if (cli->command == CORDON_CLI_HELP || cli->command == CORDON_CLI_VERSION)
		return 0;
	if (i < argc && argv[i][0] == '-' && strcmp(argv[i], "--") != 0)
		return cordon_err(err, -EINVAL, "unknown option '%s' (see cordon --help)", argv[i]);
	if (cli->command == CORDON_CLI_EXPLAIN || cli->command == CORDON_CLI_SERVE) {
		if (i < argc)
			return cordon_err(err, -EINVAL, "%s: unexpected argument '%s'",
			                  cli->command == CORDON_CLI_SERVE ? "serve" : "explain",
			                  argv[i]);
		return 0;
	}
	if (i >= argc)
		return cordon_err(
		        err, -EINVAL,
		        "run: missing '-- COMMAND' (cordon run [OPTIONS] -- COMMAND [ARG...])");
	if (strcmp(argv[i], "--") != 0)
		return cordon_err(err, -EINVAL,
		                  "run: unexpected argument '%s' (the command goes after --)",
		                  argv[i]);
	if (i + 1 >= argc)
		return cordon_err(err, -EINVAL, "run: missing command after --");
	cli->argv = argv + i + 1;
	cli->argc = argc - i - 1;
	return 0;
}

static int parse_all(struct cordon_cli *cli, int argc, char **argv, cordon_error *err)
{
	int i = 1;
	if (i >= argc)
		return cordon_err(err, -EINVAL,
		                  "missing command: run or explain (see cordon --help)");
	if (strncmp(argv[i], "--", 2) != 0 || argv[i][2] == '\0') {
		int r = parse_command_word(cli, argv[i++], err);
		if (r < 0)
			return r;
	} else {
		/* Only --help and --version may come without a command word. */
		cli->command = CORDON_CLI_EXPLAIN;
	}
	bool had_command = i > 1;
	while (i < argc && strncmp(argv[i], "--", 2) == 0 && argv[i][2] != '\0') {
		int r = parse_option(cli, argc, argv, &i, err);
		if (r < 0)
			return r;
		if (cli->command == CORDON_CLI_HELP || cli->command == CORDON_CLI_VERSION)
			return 0;
	}
	if (!had_command)
		return cordon_err(err, -EINVAL,
		                  "missing command: run or explain (see cordon --help)");
	return parse_rest(cli, argc, argv, i, err);
}

int cordon_cli_parse(int argc, char **argv, struct cordon_cli *cli, cordon_error *err)
{
	memset(cli, 0, sizeof(*cli));
	cli->policy = cordon_policy_new();
	cli->opt_argv = calloc((size_t)argc + 1, sizeof(char *));
	cli->ready_fd = -1;
	if (!cli->policy || !cli->opt_argv) {
		cordon_policy_free(cli->policy);
		free(cli->opt_argv);
		memset(cli, 0, sizeof(*cli));
		return cordon_err(err, -ENOMEM, "out of memory");
	}
	int r = parse_all(cli, argc, argv, err);
	if (r < 0 || cli->command == CORDON_CLI_HELP || cli->command == CORDON_CLI_VERSION) {
		cordon_policy_free(cli->policy);
		cli->policy = NULL;
	}
	if (r < 0) {
		free(cli->opt_argv);
		memset(cli, 0, sizeof(*cli));
	}
	return r;
}

void cordon_cli_free(struct cordon_cli *cli)
{
	cordon_policy_free(cli->policy);
	free(cli->opt_argv);
	memset(cli, 0, sizeof(*cli));
}
