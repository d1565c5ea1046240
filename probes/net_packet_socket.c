/* net.packet_socket: open an AF_PACKET socket on all protocols (sniffing and injecting
 * frames; a long line of kernel bugs, e.g. CVE-2017-7308, CVE-2020-14386). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <sys/socket.h>

#include "probe.h"

#define PROBE "net.packet_socket"

int main(void)
{
	probe_finish(PROBE, "AF_PACKET/SOCK_RAW",
	             socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL)), "socket");
}
