/* The environment filter (see envfilter.h). PCRE2 in one place, pcre2demo style: the pattern
 * is compiled once (and JIT-compiled when the library can), a bad pattern is reported with its
 * offset, and match data is sized from the pattern. */
#define _GNU_SOURCE
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "envfilter.h"

static pcre2_code *secret_re;
static char secret_re_error[200];
static pthread_once_t secret_once = PTHREAD_ONCE_INIT;

static void secret_compile(void)
{
	int code;
	PCRE2_SIZE offset;
	secret_re = pcre2_compile((PCRE2_SPTR)CORDON_ENV_SECRET_PATTERN, PCRE2_ZERO_TERMINATED,
	                          PCRE2_CASELESS, &code, &offset, NULL);
	if (!secret_re) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(secret_re_error, sizeof(secret_re_error), "secret pattern, offset %zu: %s",
		         (size_t)offset, (const char *)msg);
		return;
	}
	/* JIT is an optimisation only: without it pcre2_match interprets the same pattern. */
	pcre2_jit_compile(secret_re, PCRE2_JIT_COMPLETE);
}

static const pcre2_code *secret_pattern(cordon_error *err)
{
	pthread_once(&secret_once, secret_compile);
	if (!secret_re)
		cordon_err(err, -EINVAL, "environment filter: %s", secret_re_error);
	return secret_re;
}

static int name_matches(const pcre2_code *re, pcre2_match_data *md, const char *name, size_t len)
{
	int rc = pcre2_match(re, (PCRE2_SPTR)name, len, 0, 0, md, NULL);
	if (rc >= 0)
		return 1;
	return rc == PCRE2_ERROR_NOMATCH ? 0 : -EINVAL;
}

int cordon_env_name_is_secret(const char *name, size_t len, cordon_error *err)
{
	const pcre2_code *re = secret_pattern(err);
	if (!re)
		return -EINVAL;
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	if (!md)
		return cordon_err(err, -ENOMEM, "out of memory");
	int r = name_matches(re, md, name, len);
	pcre2_match_data_free(md);
	return r;
}

static bool name_kept(const struct cordon_strv *keep, const char *name, size_t len)
{
	for (size_t i = 0; keep && i < keep->n; i++)
		if (strncmp(keep->v[i], name, len) == 0 && keep->v[i][len] == '\0')
			return true;
	return false;
}

/* Whether one entry passes: not the marker (it is added last), and not a secret unless kept. */
static int entry_passes(const pcre2_code *re, pcre2_match_data *md, const char *entry,
                        const struct cordon_strv *keep)
{
	size_t len = strcspn(entry, "=");
	if (len == strlen("CORDON_SANDBOX") && strncmp(entry, "CORDON_SANDBOX", len) == 0)
		return 0;
	int secret = name_matches(re, md, entry, len);
	if (secret <= 0)
		return secret == 0;
	return name_kept(keep, entry, len);
}

int cordon_env_filter(const char *const envp[], const struct cordon_strv *keep, char ***out,
                      cordon_error *err)
{
	*out = NULL;
	const pcre2_code *re = secret_pattern(err);
	if (!re)
		return -EINVAL;
	size_t n = 0;
	while (envp && envp[n])
		n++;
	char **res = malloc((n + 2) * sizeof(*res));
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	if (!res || !md) {
		free(res);
		pcre2_match_data_free(md);
		return cordon_err(err, -ENOMEM, "out of memory");
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		int pass = entry_passes(re, md, envp[i], keep);
		if (pass < 0) {
			free(res);
			pcre2_match_data_free(md);
			return cordon_err(err, -EINVAL, "environment filter: match failed");
		}
		if (pass)
			res[k++] = (char *)envp[i];
	}
	pcre2_match_data_free(md);
	res[k++] = (char *)CORDON_ENV_MARKER;
	res[k] = NULL;
	*out = res;
	return 0;
}
