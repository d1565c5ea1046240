/* net.vsock: connect an AF_VSOCK stream socket to CID (default 2, the hypervisor host) PORT
 * (default 9999): the channel from a VM guest to its host, outside any network namespace.
 * detail tells "socket" (the family itself refused) from "connect" (nothing listening, or the
 * transport said no): a sound sandbox refuses at "socket". */
#define _GNU_SOURCE
#include <linux/vm_sockets.h>

#include "fsnet.h"
#include "probe.h"

#define PROBE "net.vsock"

int main(int argc, char **argv)
{
	long port = 9999, cid = VMADDR_CID_HOST;
	char target[64];

	if ((argc > 1 && !fsnet_parse_long(argv[1], 0, 0xffffffffL, &port)) ||
	    (argc > 2 && !fsnet_parse_long(argv[2], 0, 0xffffffffL, &cid)))
		probe_result(PROBE, "", PROBE_INCONCLUSIVE, EINVAL, "usage: net_vsock [PORT [CID]]",
		             NULL);
	snprintf(target, sizeof(target), "%ld:%ld", cid, port);
	struct sockaddr_vm sa = {
	        .svm_family = AF_VSOCK, .svm_port = (unsigned)port, .svm_cid = (unsigned)cid};
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		probe_finish(PROBE, target, -1, "socket");
	probe_finish(PROBE, target, fsnet_connect(fd, (struct sockaddr *)&sa, sizeof(sa), 5),
	             "connect");
}
