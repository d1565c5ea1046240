/* cordon: parse, build the policy, then run or explain. Only this file prints and exits. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "session.h"
#include "plan.h"
#include "warm.h"

extern char **environ;

static int fail(const cordon_error *err)
{
	fprintf(stderr, "cordon: %s\n", err->msg[0] ? err->msg : "failed");
	return CORDON_EXIT_FAILURE;
}

static int serve(struct cordon_cli *cli, cordon_error *err)
{
	struct cordon_serve_opts o = {.pool = cli->pool ? cli->pool : 2,
	                              .ready_fd = cli->ready_fd,
	                              .announce = cli->ready_fd < 0 ? stdout : NULL};
	return cordon_serve(cli->policy, &o, err) < 0 ? fail(err) : 0;
}

static int run(struct cordon_cli *cli, cordon_sandbox *sb, cordon_error *err)
{
	if (cli->command == CORDON_CLI_EXPLAIN)
		return cordon_sandbox_explain(sb, stdout) < 0 ? CORDON_EXIT_FAILURE : 0;
	int code = CORDON_EXIT_FAILURE;
	/* The command runs in the caller's directory or not at all (the init refuses one the
	 * sandbox does not show); one that cannot even be named is refused before anything. */
	char cwd[4096];
	if (!getcwd(cwd, sizeof(cwd))) {
		cordon_err(err, -errno,
		           "the current directory cannot be named (%s: deleted, or longer than "
		           "PATH_MAX): cd to a directory in the workspace",
		           strerror(errno));
		return fail(err);
	}
	/* A session's runs (or --warm ones) go to a server for their plan when one runs. */
	if (cli->warm || cli->policy->session) {
		int r = cordon_warm_run(sb, cli->argv, environ, cli->warm ? cli->opt_argv : NULL,
		                        cli->warm_only, &code, err);
		if (r < 0)
			return fail(err);
		if (r > 0)
			return code == CORDON_EXIT_FAILURE && err->msg[0] ? fail(err) : code;
	}
	if (cordon_sandbox_spawn(sb, cli->argv, environ, err) < 0 ||
	    cordon_sandbox_wait(sb, &code, err) < 0)
		return fail(err);
	return code;
}

/* `cordon session rm NAME...` ends sessions now (their keeper leaves, their /tmp and
 * /dev/shm are removed); `cordon session keep NAME...` makes their idle end leave the
 * directory in place (session.h). */
static int session_command(int argc, char **argv)
{
	cordon_error err = {0};
	bool rm = argc >= 3 && strcmp(argv[2], "rm") == 0;
	bool keep = argc >= 3 && strcmp(argv[2], "keep") == 0;
	if ((!rm && !keep) || argc < 4) {
		cordon_err(&err, -EINVAL, "usage: cordon session rm|keep NAME...");
		return fail(&err);
	}
	for (int i = 3; i < argc; i++)
		if ((rm ? cordon_session_remove(argv[i], &err)
		        : cordon_session_keep(argv[i], &err)) < 0)
			return fail(&err);
	return 0;
}

int main(int argc, char **argv)
{
	cordon_error err = {0};
	if (argc >= 2 && strcmp(argv[1], "session") == 0)
		return session_command(argc, argv);
	struct cordon_cli cli;
	if (cordon_cli_parse(argc, argv, &cli, &err) < 0)
		return fail(&err);
	if (cli.command == CORDON_CLI_HELP || cli.command == CORDON_CLI_VERSION) {
		fputs(cli.command == CORDON_CLI_HELP ? cordon_cli_usage() : "cordon ", stdout);
		if (cli.command == CORDON_CLI_VERSION)
			printf("%s\n", cordon_version());
		cordon_cli_free(&cli);
		return 0;
	}
	cordon_sandbox *sb = NULL;
	int code;
	if (cli.command == CORDON_CLI_EXPLAIN) {
		/* The whole plan even where run would refuse (then exit 125 after it). */
		if ((cli.policy_file &&
		     cordon_policy_load_file(cli.policy, cli.policy_file, &err) < 0) ||
		    cordon_policy_finalize(cli.policy, &err) < 0)
			code = fail(&err);
		else {
			struct cordon_host host;
			cordon_host_detect(&host);
			code = cordon_plan_explain(cli.policy, &host, stdout, &err) < 0 ? fail(&err)
			                                                                : 0;
		}
		fflush(stdout);
		cordon_cli_free(&cli);
		return code;
	}
	if ((cli.policy_file && cordon_policy_load_file(cli.policy, cli.policy_file, &err) < 0) ||
	    cordon_policy_finalize(cli.policy, &err) < 0 ||
	    cordon_sandbox_new(cli.policy, &sb, &err) < 0)
		code = fail(&err);
	else if (cli.command == CORDON_CLI_SERVE)
		code = serve(&cli, &err);
	else
		code = run(&cli, sb, &err);
	fflush(stdout);
	cordon_sandbox_free(sb);
	cordon_cli_free(&cli);
	return code;
}
