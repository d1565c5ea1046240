/* net.netlink_route: dump the links with RTM_GETLINK over NETLINK_ROUTE and report the
 * interface names visible ("interfaces"). In a private network namespace only "lo" shows;
 * seeing the host's interfaces means the network is the host's. */
#define _GNU_SOURCE
#include <linux/netlink.h>
#include <net/if.h>
#include <linux/rtnetlink.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "net.netlink_route"

struct names {
	char json[4096];
	size_t len;
	int count;
};

static void add_link(struct names *nm, struct nlmsghdr *nh)
{
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	int alen = (int)IFLA_PAYLOAD(nh);
	for (struct rtattr *rta = IFLA_RTA(ifi); RTA_OK(rta, alen); rta = RTA_NEXT(rta, alen)) {
		if (rta->rta_type != IFLA_IFNAME || nm->len + IFNAMSIZ + 16 >= sizeof(nm->json))
			continue;
		if (nm->count++)
			nm->json[nm->len++] = ',';
		probe_json_str(nm->json, sizeof(nm->json), &nm->len, RTA_DATA(rta));
	}
}

/* Read replies until NLMSG_DONE: 1 done, 0 more to read, -1 with errno on an error reply. */
static int read_batch(int fd, struct names *nm)
{
	static char buf[32768];
	ssize_t n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return -1;
	for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n);
	     nh = NLMSG_NEXT(nh, n)) {
		if (nh->nlmsg_type == NLMSG_DONE)
			return 1;
		if (nh->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(nh);
			errno = -e->error;
			return -1;
		}
		if (nh->nlmsg_type == RTM_NEWLINK)
			add_link(nm, nh);
	}
	return 0;
}

int main(void)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifm;
	} req = {
	        .nh = {.nlmsg_len = sizeof(req),
	               .nlmsg_type = RTM_GETLINK,
	               .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
	               .nlmsg_seq = 1},
	        .ifm = {.ifi_family = AF_UNSPEC},
	};
	struct names nm = {.len = 0};
	char extra[4200];
	int rc;

	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		probe_finish(PROBE, "NETLINK_ROUTE", -1, "socket");
	if (send(fd, &req, sizeof(req), 0) < 0)
		probe_finish(PROBE, "NETLINK_ROUTE", -1, "send");
	while ((rc = read_batch(fd, &nm)) == 0)
		;
	if (rc < 0)
		probe_finish(PROBE, "NETLINK_ROUTE", -1, "recv");
	snprintf(extra, sizeof(extra), "\"interfaces\":[%s],\"count\":%d", nm.json, nm.count);
	probe_result(PROBE, "NETLINK_ROUTE", PROBE_SUCCEEDED, 0, "RTM_GETLINK", extra);
}
