/* net.raw_socket: open a raw ICMP socket (forging packets; needs CAP_NET_RAW). */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <sys/socket.h>

#include "probe.h"

#define PROBE "net.raw_socket"

int main(void)
{
	probe_finish(PROBE, "AF_INET/SOCK_RAW",
	             socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP), "socket");
}
