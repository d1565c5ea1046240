/* One named, normally refused syscall made through a chosen entry point, with harmless
 * arguments: the plain 64-bit entry (priv.syscall, the control), the x32 bit (priv.x32),
 * the i386 entry `int 0x80` (priv.int80) and the 64-bit entry with bits 32-63 set in an
 * int-typed argument (priv.highbits). A seccomp filter that checks neither the architecture,
 * nor the x32 bit, nor the full argument width lets one of these through while refusing the
 * plain call. Verdict as in priv_reach.h: EPERM/EACCES/ENOSYS refused, otherwise reached.
 * Header-only because each probe is its own executable. x86_64 only; elsewhere inconclusive. */
#ifndef CORDON_PRIV_ABI_H
#define CORDON_PRIV_ABI_H

#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "priv_reach.h"

enum abi_entry { ABI_X64, ABI_X32, ABI_INT80, ABI_HIGH };

#define ABI_X32_BIT 0x40000000L
#define ABI_HIGH_BITS 0x5a5a5a5a00000000UL

/* Scratch memory below 4 GiB so pointers survive the 32-bit entry. */
struct abi_scratch {
	char root[2];
	char ch[2];
	char image[16];
	char empty[1];
	char nowhere[40];
	char subcode[8];
};

struct abi_call {
	const char *name;
	long nr64, nr32;
	int int_arg; /* index of an int-typed argument for priv.highbits, -1: none */
	void (*args)(unsigned long a[6], struct abi_scratch *s);
};

static inline void abi_keyctl(unsigned long a[6], struct abi_scratch *s)
{
	(void)s;
	a[0] = 0;                 /* KEYCTL_GET_KEYRING_ID */
	a[1] = (unsigned long)-4; /* KEY_SPEC_USER_KEYRING */
}
static inline void abi_bpf(unsigned long a[6], struct abi_scratch *s)
{
	(void)s;
	a[0] = 5; /* BPF_PROG_LOAD of an empty attribute: EINVAL once past the checks */
}
static inline void abi_unshare(unsigned long a[6], struct abi_scratch *s)
{
	(void)s;
	a[0] = 0x10000000; /* CLONE_NEWUSER: only this probe moves */
}
static inline void abi_ptrace(unsigned long a[6], struct abi_scratch *s)
{
	(void)s;
	a[0] = 0x7fff; /* no such request; on ourselves (not traced) ESRCH once past filters */
	a[1] = (unsigned long)getpid();
}
static inline void abi_init_module(unsigned long a[6], struct abi_scratch *s)
{
	a[0] = (unsigned long)s->image;
	a[1] = sizeof(s->image);
	a[2] = (unsigned long)s->empty;
}
static inline void abi_kexec_load(unsigned long a[6], struct abi_scratch *s)
{
	(void)s;
	a[1] = 17; /* one more segment than KEXEC_SEGMENT_MAX: nothing loads */
}
static inline void abi_perf(unsigned long a[6], struct abi_scratch *s)
{
	(void)s;
	a[0] = 0; /* NULL attr: EFAULT once past filters */
	a[2] = (unsigned long)-1;
	a[3] = (unsigned long)-1;
}
static inline void abi_uffd(unsigned long a[6], struct abi_scratch *s)
{
	(void)s;
	a[0] = 02000000; /* O_CLOEXEC */
}
static inline void abi_personality(unsigned long a[6], struct abi_scratch *s)
{
	(void)s;
	a[0] = 0x0400000; /* READ_IMPLIES_EXEC */
}
static inline void abi_chroot(unsigned long a[6], struct abi_scratch *s)
{
	a[0] = (unsigned long)s->root; /* "/": a no-op when permitted */
}
static inline void abi_tiocsti(unsigned long a[6], struct abi_scratch *s)
{
	a[0] = 0;
	a[1] = TIOCSTI;
	a[2] = (unsigned long)s->ch;
}

static inline void abi_pivot_root(unsigned long a[6], struct abi_scratch *s)
{
	a[0] = (unsigned long)s->nowhere; /* nonexistent: ENOENT once past the checks */
	a[1] = (unsigned long)s->nowhere;
}
static inline void abi_tioclinux(unsigned long a[6], struct abi_scratch *s)
{
	a[0] = 0;
	a[1] = TIOCLINUX;
	a[2] = (unsigned long)s->subcode; /* TIOCL_GETKMSGREDIRECT: read-only */
}

static const struct abi_call abi_calls[] = {
        {"keyctl", 250, 288, 0, abi_keyctl},
        {"bpf", 321, 357, 0, abi_bpf},
        {"unshare", 272, 310, -1, abi_unshare},
        {"ptrace", 101, 26, -1, abi_ptrace},
        {"init_module", 175, 128, -1, abi_init_module},
        {"kexec_load", 246, 283, -1, abi_kexec_load},
        {"perf_event_open", 298, 336, 1, abi_perf},
        {"userfaultfd", 323, 374, 0, abi_uffd},
        {"personality", 135, 136, 0, abi_personality},
        {"chroot", 161, 61, -1, abi_chroot},
        {"tiocsti", 16, 54, 1, abi_tiocsti},
        {"tioclinux", 16, 54, 1, abi_tioclinux},
        {"pivot_root", 155, 217, -1, abi_pivot_root},
};

#if defined(__x86_64__)
/* The i386 entry from a 64-bit process: eax = number, ebx ecx edx esi edi = arguments (the
 * sixth, ebp, is the frame pointer and no call here needs it). The kernel clears r8-r11 on
 * this path. Returns -errno like the raw ABI. */
static inline long abi_int80(long nr, const unsigned long a[6])
{
	long ret;
	__asm__ volatile("int $0x80"
	                 : "=a"(ret)
	                 : "a"(nr), "b"(a[0]), "c"(a[1]), "d"(a[2]), "S"(a[3]), "D"(a[4])
	                 : "memory", "r8", "r9", "r10", "r11");
	return ret;
}
#endif

static inline _Noreturn void abi_main(const char *probe, enum abi_entry entry, int argc,
                                      char **argv)
{
	const struct abi_call *c = NULL;
	unsigned long a[6] = {0};
	long rc;

	probe_need_args(probe, argc, 2,
	                "usage: NAME (keyctl bpf unshare ptrace init_module kexec_load "
	                "perf_event_open userfaultfd personality chroot tiocsti tioclinux "
	                "pivot_root)");
	for (size_t i = 0; i < sizeof(abi_calls) / sizeof(abi_calls[0]); i++)
		if (strcmp(argv[1], abi_calls[i].name) == 0)
			c = &abi_calls[i];
	if (!c)
		probe_inconclusive(probe, argv[1], "unknown NAME");
#if !defined(__x86_64__)
	probe_inconclusive(probe, argv[1], "x86_64 only");
#else
	struct abi_scratch *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (s == MAP_FAILED)
		probe_inconclusive(probe, argv[1], "mmap below 4 GiB");
	memcpy(s->root, "/", 2);
	memcpy(s->ch, "#", 2);
	memcpy(s->image, "not-a-module!!!", 16);
	snprintf(s->nowhere, sizeof(s->nowhere), "/nonexistent-cordon-probe-pivot");
	s->subcode[0] = 17;
	c->args(a, s);
	switch (entry) {
	case ABI_X64:
		rc = syscall(c->nr64, a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	case ABI_X32:
		rc = syscall(c->nr64 | ABI_X32_BIT, a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	case ABI_INT80:
		rc = abi_int80(c->nr32, a);
		if (rc < 0 && rc > -4096) {
			errno = (int)-rc;
			rc = -1;
		}
		break;
	case ABI_HIGH:
		if (c->int_arg < 0)
			probe_inconclusive(probe, argv[1], "NAME has no int argument");
		a[c->int_arg] |= ABI_HIGH_BITS;
		rc = syscall(c->nr64, a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	default:
		probe_inconclusive(probe, argv[1], "entry");
	}
	pr_finish(probe, argv[1], rc, rc < 0 ? errno : 0, c->name);
#endif
}

#endif
