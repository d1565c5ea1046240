/* Unit tests of the environment filter: secret-looking names dropped (any case), --env-keep,
 * CORDON_SANDBOX=1 set exactly once, values never matched. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "envfilter.h"

static bool env_has(char **env, const char *entry)
{
	for (size_t i = 0; env[i]; i++)
		if (strcmp(env[i], entry) == 0)
			return true;
	return false;
}

static size_t env_count(char **env)
{
	size_t n = 0;
	while (env[n])
		n++;
	return n;
}

static void test_envfilter_drops_secrets_any_case(void **state)
{
	(void)state;
	const char *const envp[] = {
	        "PATH=/usr/bin",
	        "GITHUB_TOKEN=ghp_x",
	        "aws_secret_access_key=y",
	        "MyPassword=z",
	        "OPENAI_API_KEY=k",
	        "Credential_File=/c",
	        "HOME=/home/u",
	        "LANG=C",
	        NULL,
	};
	char **out = NULL;
	cordon_error err = {0};
	assert_int_equal(cordon_env_filter(envp, NULL, &out, &err), 0);
	assert_true(env_has(out, "PATH=/usr/bin"));
	assert_true(env_has(out, "HOME=/home/u"));
	assert_true(env_has(out, "LANG=C"));
	assert_false(env_has(out, "GITHUB_TOKEN=ghp_x"));
	assert_false(env_has(out, "aws_secret_access_key=y"));
	assert_false(env_has(out, "MyPassword=z"));
	assert_false(env_has(out, "OPENAI_API_KEY=k"));
	assert_false(env_has(out, "Credential_File=/c"));
	assert_true(env_has(out, "CORDON_SANDBOX=1"));
	assert_int_equal(env_count(out), 4);
	free(out);
}

static void test_envfilter_matches_names_not_values(void **state)
{
	(void)state;
	const char *const envp[] = {"MODE=TOKEN_SECRET_PASSWORD", "EDITOR=vi", NULL};
	char **out = NULL;
	assert_int_equal(cordon_env_filter(envp, NULL, &out, NULL), 0);
	assert_true(env_has(out, "MODE=TOKEN_SECRET_PASSWORD"));
	assert_true(env_has(out, "EDITOR=vi"));
	free(out);
}

static void test_envfilter_env_keep(void **state)
{
	(void)state;
	struct cordon_strv keep = {0};
	assert_int_equal(cordon_strv_push(&keep, "GH_TOKEN"), 0);
	const char *const envp[] = {"GH_TOKEN=a", "GH_TOKEN2=b", "gh_token=c", NULL};
	char **out = NULL;
	assert_int_equal(cordon_env_filter(envp, &keep, &out, NULL), 0);
	assert_true(env_has(out, "GH_TOKEN=a"));
	assert_false(env_has(out, "GH_TOKEN2=b")); /* exact names only */
	assert_false(env_has(out, "gh_token=c"));
	free(out);
	cordon_strv_clear(&keep);
}

static void test_envfilter_marker_replaced_once(void **state)
{
	(void)state;
	const char *const envp[] = {"CORDON_SANDBOX=0", "A=1", "CORDON_SANDBOX=", NULL};
	char **out = NULL;
	assert_int_equal(cordon_env_filter(envp, NULL, &out, NULL), 0);
	size_t markers = 0;
	for (size_t i = 0; out[i]; i++)
		markers += strncmp(out[i], "CORDON_SANDBOX=", 15) == 0;
	assert_int_equal(markers, 1);
	assert_true(env_has(out, "CORDON_SANDBOX=1"));
	assert_true(env_has(out, "A=1"));
	free(out);

	assert_int_equal(cordon_env_filter(NULL, NULL, &out, NULL), 0);
	assert_int_equal(env_count(out), 1);
	assert_string_equal(out[0], "CORDON_SANDBOX=1");
	free(out);
}

static void test_envfilter_name_is_secret(void **state)
{
	(void)state;
	assert_int_equal(cordon_env_name_is_secret("SSH_KEY_PATH", 12, NULL), 1);
	assert_int_equal(cordon_env_name_is_secret("db_password", 11, NULL), 1);
	assert_int_equal(cordon_env_name_is_secret("TERM", 4, NULL), 0);
	/* Only the first len bytes are the name. */
	assert_int_equal(cordon_env_name_is_secret("TERM=KEY", 4, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_envfilter_drops_secrets_any_case),
	        cmocka_unit_test(test_envfilter_matches_names_not_values),
	        cmocka_unit_test(test_envfilter_env_keep),
	        cmocka_unit_test(test_envfilter_marker_replaced_once),
	        cmocka_unit_test(test_envfilter_name_is_secret),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
