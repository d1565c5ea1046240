/* DNS for a `--network on` sandbox whose host resolves through its own loopback
 * (systemd-resolved's 127.0.0.53 in /etc/resolv.conf). The sandbox reads the same
 * resolv.conf, but 127.0.0.53 is its own loopback there, where nothing answers, and pasta
 * cannot forward to a loopback resolver without also mapping its gateway address to every
 * loopback port of the host (what --no-map-gw turns off). So the supervisor binds that very
 * address, port 53, UDP, inside the sandbox's namespace, and one thread relays each query to
 * the host's resolver and its answer back: the only loopback service of the host the sandbox
 * reaches, and only by UDP datagrams to port 53. DNS over TCP (answers over 512 bytes
 * without EDNS) is not relayed. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "netns.h"

#define DNS_PENDING 64 /* queries awaiting an answer, oldest forgotten first */

/* The first nameserver of /etc/resolv.conf, when it is an IPv4 loopback address. */
static bool dns_loopback_resolver(struct in_addr *out)
{
	FILE *f = fopen("/etc/resolv.conf", "re");
	char line[256];
	bool found = false;
	while (f && fgets(line, sizeof(line), f)) {
		char addr[64];
		if (sscanf(line, " nameserver %63s", addr) != 1)
			continue;
		found = inet_pton(AF_INET, addr, out) == 1 && (ntohl(out->s_addr) >> 24) == 127;
		break;
	}
	if (f)
		fclose(f);
	return found;
}

/* A UDP socket bound to addr:53 inside the namespaces netfd (and userfd, when not ours): made
 * by a child that joins them (a process with threads could not join a user namespace). */
static int dns_socket_inside(int netfd, int userfd, struct in_addr addr)
{
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid == 0) {
		close(sp[0]);
		struct sockaddr_in sa = {
		        .sin_family = AF_INET, .sin_port = htons(53), .sin_addr = addr};
		int s = -1;
		if ((userfd < 0 || setns(userfd, CLONE_NEWUSER) == 0) &&
		    setns(netfd, CLONE_NEWNET) == 0)
			s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			close(s);
			s = -1;
		}
		int e = s < 0 ? errno : 0;
		cordon_fds_send(sp[1], &e, sizeof(e), &s, s >= 0 ? 1 : 0);
		_exit(0);
	}
	close(sp[1]);
	int e = pid < 0 ? errno : 0, fd = -1;
	size_t n = 0;
	if (pid > 0) {
		int r = cordon_fds_recv(sp[0], &e, sizeof(e), &fd, 1, &n);
		if (r < 0)
			e = -r;
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	close(sp[0]);
	if (n == 1 && fd >= 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return -(e ? e : EIO);
}

struct dns_pending {
	uint16_t id;
	bool used;
	struct sockaddr_in from;
};

/* A query from inside: remember who asked (by DNS id), pass it on. */
static void dns_query(struct cordon_netns *ns, struct dns_pending *p, size_t *next)
{
	unsigned char buf[4096];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n =
	        recvfrom(ns->dns_in, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
	if (n < 2)
		return;
	p[*next] = (struct dns_pending){
	        .id = (uint16_t)(buf[0] << 8 | buf[1]), .used = true, .from = from};
	*next = (*next + 1) % DNS_PENDING;
	(void)!send(ns->dns_up, buf, (size_t)n, MSG_DONTWAIT);
}

/* An answer from the host's resolver: back to whoever asked with that id. */
static void dns_answer(struct cordon_netns *ns, struct dns_pending *p)
{
	unsigned char buf[4096];
	ssize_t n = recv(ns->dns_up, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 2)
		return;
	uint16_t id = (uint16_t)(buf[0] << 8 | buf[1]);
	for (size_t i = 0; i < DNS_PENDING; i++) {
		if (!p[i].used || p[i].id != id)
			continue;
		p[i].used = false;
		(void)!sendto(ns->dns_in, buf, (size_t)n, MSG_DONTWAIT,
		              (struct sockaddr *)&p[i].from, sizeof(p[i].from));
		return;
	}
}

static void *dns_relay(void *arg)
{
	struct cordon_netns *ns = arg;
	struct dns_pending pending[DNS_PENDING];
	size_t next = 0;
	memset(pending, 0, sizeof(pending));
	for (;;) {
		struct pollfd pf[3] = {{.fd = ns->dns_stop, .events = POLLIN},
		                       {.fd = ns->dns_in, .events = POLLIN},
		                       {.fd = ns->dns_up, .events = POLLIN}};
		if (poll(pf, 3, -1) < 0 && errno != EINTR)
			return NULL;
		if (pf[0].revents)
			return NULL;
		if (pf[1].revents)
			dns_query(ns, pending, &next);
		if (pf[2].revents)
			dns_answer(ns, pending);
	}
}

int cordon_netns_dns_start(struct cordon_netns *ns, int netfd, int userfd, cordon_error *err)
{
	struct in_addr addr;
	if (!dns_loopback_resolver(&addr))
		return 0;
	struct sockaddr_in up = {.sin_family = AF_INET, .sin_port = htons(53), .sin_addr = addr};
	ns->dns_in = dns_socket_inside(netfd, userfd, addr);
	if (ns->dns_in < 0) {
		int e = -ns->dns_in;
		ns->dns_in = -1;
		return cordon_err(err, -e, "network: cannot serve DNS inside the sandbox: %s",
		                  strerror(e));
	}
	ns->dns_up = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ns->dns_stop = eventfd(0, EFD_CLOEXEC);
	if (ns->dns_up < 0 || ns->dns_stop < 0 ||
	    connect(ns->dns_up, (struct sockaddr *)&up, sizeof(up)) < 0)
		return cordon_err(err, -errno, "network: DNS relay: %s", strerror(errno));
	/* The thread starts with every signal blocked: the process's signals are the caller's. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int e = pthread_create(&ns->dns, NULL, dns_relay, ns);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0)
		return cordon_err(err, -e, "network: DNS relay: %s", strerror(e));
	ns->dns_running = true;
	return 0;
}

void cordon_netns_dns_stop(struct cordon_netns *ns)
{
	if (ns->dns_running) {
		uint64_t one = 1;
		(void)!write(ns->dns_stop, &one, sizeof(one));
		pthread_join(ns->dns, NULL);
		ns->dns_running = false;
	}
	int *fds[] = {&ns->dns_in, &ns->dns_up, &ns->dns_stop};
	for (size_t i = 0; i < 3; i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}
