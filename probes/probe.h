/* The probe result line (ARCHITECTURE.md, "The probe protocol"): every probe attempts one
 * thing, prints exactly one JSON line on stdout and exits 0 succeeded, 1 refused,
 * 2 inconclusive. Probes know nothing of any sandbox; their targets come from argv. */
#ifndef CORDON_PROBE_H
#define CORDON_PROBE_H

#include <stdbool.h>
#include <stddef.h>

enum probe_outcome {
	PROBE_SUCCEEDED = 0,
	PROBE_REFUSED = 1,
	PROBE_INCONCLUSIVE = 2,
};

/* Print the line and exit with the outcome's status. err is an errno value (0: none);
 * detail names the step (e.g. "open", "rename"); extra, when not NULL, is a JSON fragment
 * of further members without braces, e.g. "\"count\":12,\"port\":4242". */
_Noreturn void probe_result(const char *probe, const char *target, enum probe_outcome outcome,
                            int err, const char *detail, const char *extra);

/* Print the line without exiting, for probes that must go on after announcing (a listener
 * that stays up so the harness can try to reach it). The line is one write, so it is out
 * before the probe waits. Call it at most once, and exit with the outcome afterwards. */
void probe_print(const char *probe, const char *target, enum probe_outcome outcome, int err,
                 const char *detail, const char *extra);

/* The common case: rc >= 0 means the action happened, otherwise it was refused with errno. */
_Noreturn void probe_finish(const char *probe, const char *target, long rc, const char *detail);

/* The probe could not set itself up (bad arguments, a missing precondition). */
_Noreturn void probe_inconclusive(const char *probe, const char *target, const char *detail);

/* Usage check: when argc < need, print an inconclusive line naming the usage and exit 2. */
void probe_need_args(const char *probe, int argc, int need, const char *usage);

/* Append a JSON string (quoted, escaped) to buf of size n at *len. Used to build extras. */
void probe_json_str(char *buf, size_t n, size_t *len, const char *s);

#endif
