/* priv.caps: report the capability sets, no_new_privs and seccomp mode of this process.
 * "succeeded" means real privilege: some effective capability while in the initial user
 * namespace (uid_map is the identity over the whole range). Capabilities held only inside a
 * private user namespace are reported but count as refused (detail "userns"). */
#define _GNU_SOURCE
#include <stdio.h>
#include <linux/capability.h>
#include <sys/syscall.h>

#include "probe.h"
#include "proc_util.h"

#define P "priv.caps"

/* The value after "Name:\t" in /proc/self/status (at most n-1 bytes), or "?". */
static void status_field(const char *status, const char *name, char *out, size_t n)
{
	char key[32];
	size_t len = 0;
	snprintf(key, sizeof(key), "\n%s:", name);
	const char *at = strstr(status, key);
	snprintf(out, n, "?");
	if (!at)
		return;
	at += strlen(key);
	at += strspn(at, " \t");
	while (len + 1 < n && at[len] && at[len] != '\n' && at[len] != ' ')
		len++;
	memcpy(out, at, len);
	out[len] = '\0';
}

static bool init_userns(void)
{
	char map[256];
	unsigned long a, b, c;
	if (pu_read_file("/proc/self/uid_map", map, sizeof(map)) < 0)
		return false;
	return sscanf(map, "%lu %lu %lu", &a, &b, &c) == 3 && a == 0 && b == 0 &&
	       c == 4294967295UL && !strchr(strchr(map, '\n') ? strchr(map, '\n') + 1 : "", ' ');
}

int main(void)
{
	static char status[16384];
	char eff[32], prm[32], bnd[32], amb[32], nnp[8], sec[8], extra[320];
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {{0}};

	if (pu_read_file("/proc/self/status", status, sizeof(status)) < 0)
		probe_finish(P, "self", -1, "status");
	status_field(status, "CapEff", eff, sizeof(eff));
	status_field(status, "CapPrm", prm, sizeof(prm));
	status_field(status, "CapBnd", bnd, sizeof(bnd));
	status_field(status, "CapAmb", amb, sizeof(amb));
	status_field(status, "NoNewPrivs", nnp, sizeof(nnp));
	status_field(status, "Seccomp", sec, sizeof(sec));
	if (syscall(SYS_capget, &hdr, data) < 0)
		probe_finish(P, "self", -1, "capget");
	bool any = data[0].effective || data[1].effective;
	bool initns = init_userns();
	snprintf(extra, sizeof(extra),
	         "\"eff\":\"%s\",\"prm\":\"%s\",\"bnd\":\"%s\",\"amb\":\"%s\",\"nnp\":%s,"
	         "\"seccomp\":%s,\"init_userns\":%s",
	         eff, prm, bnd, amb, nnp[0] == '1' ? "true" : "false",
	         sec[0] >= '0' && sec[0] <= '9' ? sec : "null", initns ? "true" : "false");
	if (any && initns)
		probe_result(P, "self", PROBE_SUCCEEDED, 0, "capget", extra);
	probe_result(P, "self", PROBE_REFUSED, 0, any ? "userns" : "no-caps", extra);
}
