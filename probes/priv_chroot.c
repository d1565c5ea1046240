/* priv.chroot DIR: chroot(DIR). Only this short-lived probe's root changes. */
#define _GNU_SOURCE
#include <unistd.h>

#include "probe.h"

int main(int argc, char **argv)
{
	probe_need_args("priv.chroot", argc, 2, "usage: priv_chroot DIR");
	probe_finish("priv.chroot", argv[1], chroot(argv[1]), "chroot");
}
