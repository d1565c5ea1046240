/* The environment filter: what a confined command's environment is made of. Variables whose
 * NAME looks like a secret (KEY|SECRET|TOKEN|PASSWORD|CREDENTIAL, case-insensitive) are dropped
 * unless kept explicitly; CORDON_SANDBOX=1 is set. Runs on every spawn, so it is one pass with
 * one allocation for the result and a pattern compiled once per process. */
#ifndef CORDON_ENVFILTER_H
#define CORDON_ENVFILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define CORDON_ENV_SECRET_PATTERN "KEY|SECRET|TOKEN|PASSWORD|CREDENTIAL"
#define CORDON_ENV_MARKER "CORDON_SANDBOX=1"

/* Filter envp (NULL-terminated; NULL means empty) into *out, a NULL-terminated array that is
 * ONE allocation: its strings are borrowed from envp (and a static "CORDON_SANDBOX=1"), so the
 * caller frees only *out, with free(), and envp must outlive it. keep (may be NULL) lists
 * exact variable names to keep even when they look like secrets. 0 or -ENOMEM (or -EINVAL if
 * the pattern cannot be compiled, which would be a bug). */
CORDON_HIDDEN int cordon_env_filter(const char *const envp[], const struct cordon_strv *keep,
                                    char ***out, cordon_error *err);

/* Whether the variable name name[0..len) looks like a secret. <0 on error. */
CORDON_HIDDEN int cordon_env_name_is_secret(const char *name, size_t len, cordon_error *err);

#endif
