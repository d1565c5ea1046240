/* net.dns: resolve NAME with getaddrinfo and report the distinct addresses ("addresses").
 * A resolver failure carries no errno (except EAI_SYSTEM); detail then holds its text. */
#define _GNU_SOURCE
#include <netdb.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "net.dns"

static void append_address(const struct addrinfo *ai, char *extra, size_t n, size_t *len)
{
	char host[INET6_ADDRSTRLEN + 4], quoted[INET6_ADDRSTRLEN + 8];
	size_t qlen = 0;
	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host), NULL, 0, NI_NUMERICHOST))
		return;
	probe_json_str(quoted, sizeof(quoted), &qlen, host);
	if (strstr(extra, quoted) || *len + qlen + 4 >= n)
		return;
	if (extra[*len - 1] != '[')
		extra[(*len)++] = ',';
	*len += (size_t)snprintf(extra + *len, n - *len, "%s", quoted);
}

int main(int argc, char **argv)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	char extra[4096];
	size_t len;

	probe_need_args(PROBE, argc, 2, "usage: net_dns NAME");
	int rc = getaddrinfo(argv[1], NULL, &hints, &res);
	if (rc == EAI_SYSTEM)
		probe_finish(PROBE, argv[1], -1, "getaddrinfo");
	if (rc != 0)
		probe_result(PROBE, argv[1], PROBE_REFUSED, 0, gai_strerror(rc), NULL);
	len = (size_t)snprintf(extra, sizeof(extra), "\"addresses\":[");
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
		append_address(ai, extra, sizeof(extra), &len);
	snprintf(extra + len, sizeof(extra) - len, "]");
	probe_result(PROBE, argv[1], PROBE_SUCCEEDED, 0, "getaddrinfo", extra);
}
