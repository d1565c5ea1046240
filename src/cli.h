/* The `cordon` command line, parsed apart from main so it can be unit-tested:
 *
 *   cordon run [OPTIONS] -- COMMAND [ARG...]
 *   cordon explain [OPTIONS]
 *   cordon serve [OPTIONS] [--pool N]
 *   cordon --help | --version
 *
 * (`cordon session rm|keep NAME...` takes no options: main.c handles it before this parse.)
 *
 * Options fill a policy through cordon_policy_set (the validator policy files use too);
 * --policy FILE is only recorded: the caller loads it after the flags, so flags win.
 * Nothing here prints or exits. */
#ifndef CORDON_CLI_H
#define CORDON_CLI_H

#include "policy.h"

enum cordon_cli_command {
	CORDON_CLI_RUN,
	CORDON_CLI_EXPLAIN,
	CORDON_CLI_SERVE,
	CORDON_CLI_HELP,
	CORDON_CLI_VERSION,
};

struct cordon_cli {
	enum cordon_cli_command command;
	cordon_policy *policy;   /* owned; NULL for help and version */
	const char *policy_file; /* --policy, borrowed from argv; NULL when not given */
	char **argv;             /* run: COMMAND [ARG...], borrowed from argv, NULL-terminated */
	int argc;
	bool warm;       /* run --warm (or --warm-only) */
	bool warm_only;  /* run --warm-only: never cold */
	unsigned pool;   /* serve --pool; 0: the default */
	int ready_fd;    /* serve --ready-fd (a server started by run --warm); -1 */
	char **opt_argv; /* the options as given, --warm left out; NULL-terminated, owned */
	int opt_argc;
};

#define CORDON_CLI_MAX_POOL 16

/* 0, or -EINVAL (-ENOMEM) with one line naming the flag or value. On error nothing needs
 * freeing; on success call cordon_cli_free. */
CORDON_HIDDEN int cordon_cli_parse(int argc, char **argv, struct cordon_cli *cli,
                                   cordon_error *err);
CORDON_HIDDEN void cordon_cli_free(struct cordon_cli *cli);

/* The --help text, every option listed. */
CORDON_HIDDEN const char *cordon_cli_usage(void);

#endif
