/* libcordon — confine a command to its workspace on Linux.
 *
 * Lifecycle:
 *
 *   cordon_policy *p = cordon_policy_new();          // defaults: workspace-write, network off
 *   cordon_policy_set(p, "workspace", "/src/x", &err); // or cordon_policy_load_file()
 *   cordon_policy_finalize(p, &err);                  // resolve paths, validate; nothing started
 *   cordon_sandbox *sb = NULL;
 *   cordon_sandbox_new(p, &sb, &err);                 // host detection + plan; nothing started
 *   cordon_sandbox_spawn(sb, argv, envp, &err);       // the command runs confined
 *   cordon_sandbox_wait(sb, &status, &err);           // reaped; the whole tree is gone
 *   cordon_sandbox_free(sb); cordon_policy_free(p);
 *
 * Errors: every function returns 0 or a negative errno and, when err is not NULL, fills it with
 * one line naming the path or rule concerned. Only a program's main prints it.
 * Ownership: a policy is owned by its caller and must outlive the sandbox built from it.
 */
#ifndef CORDON_H
#define CORDON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CORDON_PUBLIC __attribute__((visibility("default")))

/* Exit statuses of `cordon run` (see ARCHITECTURE.md). */
enum {
	CORDON_EXIT_TIMEOUT = 124,
	CORDON_EXIT_FAILURE = 125,
	CORDON_EXIT_NOEXEC = 126,
	CORDON_EXIT_NOTFOUND = 127,
};

typedef struct cordon_error {
	int code;      /* negative errno, 0 when unset */
	char msg[512]; /* one line, no trailing newline */
} cordon_error;

typedef struct cordon_policy cordon_policy;
typedef struct cordon_sandbox cordon_sandbox;

/* ---- policy ---------------------------------------------------------------------------- */

/* A new policy with the defaults of ARCHITECTURE.md; NULL only when out of memory. */
CORDON_PUBLIC cordon_policy *cordon_policy_new(void);
CORDON_PUBLIC void cordon_policy_free(cordon_policy *p);

/* Set one setting by its flag name without dashes ("workspace", "writable", "protect",
 * "deny-read", "profile", "network", "session", "timeout", "memory", "pids", "cpu",
 * "file-size", "open-files", "env-keep", "keep-fd", "best-effort"). Repeatable settings
 * append. value is copied. -EINVAL with a message for an unknown key or a bad value. */
CORDON_PUBLIC int cordon_policy_set(cordon_policy *p, const char *key, const char *value,
                                    cordon_error *err);

/* Read a policy file (one `key = value` per line, keys as above, `#` comments). Settings
 * already made by the caller (flags) win over the file's. */
CORDON_PUBLIC int cordon_policy_load_file(cordon_policy *p, const char *path, cordon_error *err);

/* Resolve defaults and paths (workspace defaults to the current directory, paths made
 * absolute and canonical) and validate: a missing workspace, a workspace of / or $HOME,
 * a writable root that is not a directory fail here, before anything is started. */
CORDON_PUBLIC int cordon_policy_finalize(cordon_policy *p, cordon_error *err);

/* ---- sandbox --------------------------------------------------------------------------- */

/* Detect what this host's kernel offers and turn the finalized policy into a plan.
 * Fails (-ENOTSUP, message naming the cause and the fix) when a mechanism the policy
 * needs is missing and the policy is not best-effort. *out is owned by the caller. */
CORDON_PUBLIC int cordon_sandbox_new(const cordon_policy *p, cordon_sandbox **out,
                                     cordon_error *err);
CORDON_PUBLIC void cordon_sandbox_free(cordon_sandbox *sb);

/* Print the plan and, for each rule, the mechanism that enforces it here or why not. */
CORDON_PUBLIC int cordon_sandbox_explain(const cordon_sandbox *sb, FILE *out);

/* Start argv confined. envp is filtered by the policy (secret-looking names dropped,
 * CORDON_SANDBOX=1 added). Returns once the command has been exec'd or has failed to. */
CORDON_PUBLIC int cordon_sandbox_spawn(cordon_sandbox *sb, char *const argv[], char *const envp[],
                                       cordon_error *err);

/* Wait for the command; when it ends, end the whole tree. *exit_code is what `cordon run`
 * exits with: the command's status, 128+N for signal N, 124 on timeout, 126/127 when the
 * command could not be executed or found. */
CORDON_PUBLIC int cordon_sandbox_wait(cordon_sandbox *sb, int *exit_code, cordon_error *err);

CORDON_PUBLIC const char *cordon_version(void);

#endif
