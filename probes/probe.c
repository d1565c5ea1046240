#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"

static const char *const outcome_names[] = {"succeeded", "refused", "inconclusive"};

void probe_json_str(char *buf, size_t n, size_t *len, const char *s)
{
	if (*len + 1 >= n)
		return;
	buf[(*len)++] = '"';
	for (; s && *s && *len + 8 < n; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			*len += (size_t)snprintf(buf + *len, n - *len, "\\%c", c);
		else if (c < 0x20)
			*len += (size_t)snprintf(buf + *len, n - *len, "\\u%04x", c);
		else
			buf[(*len)++] = (char)c;
	}
	buf[(*len)++] = '"';
	buf[*len] = '\0';
}

void probe_print(const char *probe, const char *target, enum probe_outcome outcome, int err,
                 const char *detail, const char *extra)
{
	char line[8192];
	size_t len = 0;
	const char *ename = err ? strerrorname_np(err) : NULL;

	len += (size_t)snprintf(line + len, sizeof(line) - len, "{\"probe\":");
	probe_json_str(line, sizeof(line), &len, probe);
	len += (size_t)snprintf(line + len, sizeof(line) - len, ",\"target\":");
	probe_json_str(line, sizeof(line), &len, target ? target : "");
	len += (size_t)snprintf(line + len, sizeof(line) - len,
	                        ",\"outcome\":\"%s\",\"errno\":", outcome_names[outcome]);
	if (ename)
		probe_json_str(line, sizeof(line), &len, ename);
	else
		len += (size_t)snprintf(line + len, sizeof(line) - len, "null");
	len += (size_t)snprintf(line + len, sizeof(line) - len, ",\"detail\":");
	probe_json_str(line, sizeof(line), &len, detail ? detail : "");
	if (extra && *extra)
		len += (size_t)snprintf(line + len, sizeof(line) - len, ",%s", extra);
	snprintf(line + len, sizeof(line) - len, "}\n");
	/* One write, so a probe that dies right after still leaves a whole line. */
	ssize_t w = write(1, line, strlen(line));
	(void)w;
}

void probe_result(const char *probe, const char *target, enum probe_outcome outcome, int err,
                  const char *detail, const char *extra)
{
	probe_print(probe, target, outcome, err, detail, extra);
	_exit((int)outcome);
}

void probe_finish(const char *probe, const char *target, long rc, const char *detail)
{
	if (rc >= 0)
		probe_result(probe, target, PROBE_SUCCEEDED, 0, detail, NULL);
	probe_result(probe, target, PROBE_REFUSED, errno, detail, NULL);
}

void probe_inconclusive(const char *probe, const char *target, const char *detail)
{
	probe_result(probe, target, PROBE_INCONCLUSIVE, errno, detail, NULL);
}

void probe_need_args(const char *probe, int argc, int need, const char *usage)
{
	if (argc < need) {
		errno = EINVAL;
		probe_result(probe, "", PROBE_INCONCLUSIVE, EINVAL, usage, NULL);
	}
}
