/* priv.bpf: load a two-instruction socket filter ("return 0"). The program does nothing and
 * dies with the probe; the question is only whether bpf(2) is reachable at all. */
#define _GNU_SOURCE
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <errno.h>
#include <unistd.h>

#include "probe.h"

int main(void)
{
	struct bpf_insn insns[2];
	union bpf_attr attr;
	static const char license[] = "GPL";

	memset(insns, 0, sizeof(insns));
	insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K; /* r0 = 0 */
	insns[1].code = BPF_JMP | BPF_EXIT;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insn_cnt = 2;
	attr.insns = (unsigned long)insns;
	attr.license = (unsigned long)license;
	probe_finish("priv.bpf", "BPF_PROG_LOAD",
	             syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr)), "bpf");
}
