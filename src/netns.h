/* The network of a `--network on` sandbox: a private network namespace of its own (so that its
 * abstract UNIX names, its loopback and its ports are its own), given connectivity from
 * outside by pasta (Debian's passt package), which the supervisor starts for the init's
 * namespaces before the command runs and ends with the run. Plumbing only: whether a run
 * gets one is the plan's decision (plan->net_helper). */
#ifndef CORDON_NETNS_H
#define CORDON_NETNS_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "util.h"

/* A running helper; pid 0 when none. dns_*: the relay to a resolver on the host's loopback
 * (netns_dns.c), -1 / not running when the host's resolver is elsewhere. */
struct cordon_netns {
	pid_t pid;
	int pidfd;
	int dns_in, dns_up, dns_stop;
	pthread_t dns;
	bool dns_running;
};

#define CORDON_NETNS_INIT \
	((struct cordon_netns){.pid = 0, .pidfd = -1, .dns_in = -1, .dns_up = -1, .dns_stop = -1})

/* The pasta executable, from a fixed list of system directories only (never $PATH, which may
 * name a directory the sandbox can write), when the caller can use it; else NULL and why (the
 * cause and the fix, one line). */
CORDON_HIDDEN const char *cordon_netns_helper_find(char *why, size_t size);

/* Start helper for the network (and user) namespace of init_pid, and wait until the
 * namespace's interface is configured (address, default route). The helper maps nothing of
 * the host's loopback into the namespace and forwards no port in either direction. 0, or a
 * negative errno with one line in err. */
CORDON_HIDDEN int cordon_netns_start(struct cordon_netns *ns, const char *helper, pid_t init_pid,
                                     bool as_root, cordon_error *err);

/* netns_dns.c: when the host's first resolver is on its loopback, serve that address (UDP,
 * port 53) inside the namespaces netfd/userfd (userfd -1: ours) by a relay thread to it.
 * 0 (also when there is nothing to do), or a negative errno with one line in err. */
CORDON_HIDDEN int cordon_netns_dns_start(struct cordon_netns *ns, int netfd, int userfd,
                                         cordon_error *err);
CORDON_HIDDEN void cordon_netns_dns_stop(struct cordon_netns *ns);

/* End the helper (if any). wait: until it is reaped (it must have left the run's cgroup
 * before that is removed); else reaped only if it is gone already: its exit takes tens of
 * milliseconds (the kernel tears its interface down), which a run need not wait for, and a
 * supervisor serves one run, so the zombie goes when the supervisor does. */
CORDON_HIDDEN void cordon_netns_stop(struct cordon_netns *ns, bool wait);

#endif
