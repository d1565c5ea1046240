/* env.proc_net_unix [NAME...]: list the bound UNIX socket names in /proc/net/unix
 * ("names", abstract ones start with '@'; "count"), and which given NAMEs appear ("found").
 * The harness passes names of host sockets: in a private network namespace none may show.
 * The list is cut to fit the one-line result ("truncated"). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "probe.h"

#define P "env.proc_net_unix"

/* The path column: the 8th field, absent for unbound sockets. */
static const char *socket_name(char *line)
{
	char *save = NULL, *tok = strtok_r(line, " \n", &save);
	for (int i = 1; tok && i < 8; i++)
		tok = strtok_r(NULL, " \n", &save);
	return tok;
}

int main(int argc, char **argv)
{
	FILE *f = fopen("/proc/net/unix", "re");
	char line[4096], names[5000], found[1500], extra[7000];
	size_t nlen = 0, flen = 0;
	long count = 0;
	bool truncated = false;

	if (!f)
		probe_finish(P, "/proc/net/unix", -1, "open");
	names[0] = found[0] = '\0';
	if (!fgets(line, sizeof(line), f)) /* header */
		probe_finish(P, "/proc/net/unix", -1, "read");
	while (fgets(line, sizeof(line), f)) {
		const char *name = socket_name(line);
		if (!name)
			continue;
		count++;
		for (int i = 1; i < argc; i++)
			if (strcmp(name, argv[i]) == 0 && flen + strlen(name) + 8 < sizeof(found)) {
				if (flen)
					found[flen++] = ',';
				probe_json_str(found, sizeof(found), &flen, name);
			}
		if (nlen + strlen(name) + 8 >= sizeof(names)) {
			truncated = true;
			continue;
		}
		if (nlen)
			names[nlen++] = ',';
		probe_json_str(names, sizeof(names), &nlen, name);
	}
	fclose(f);
	snprintf(extra, sizeof(extra),
	         "\"count\":%ld,\"truncated\":%s,\"names\":[%s],\"found\":[%s]", count,
	         truncated ? "true" : "false", names, found);
	probe_result(P, "/proc/net/unix", PROBE_SUCCEEDED, 0, "read", extra);
}
