/* cordon-seccomp-gen OUT.c: write every variant of the sandbox's seccomp filter as C arrays.
 *
 * The filter depends only on three facts (struct cordon_seccomp_variant), and building it with
 * libseccomp costs most of a millisecond of CPU per spawn (issue 5). So the build runs this
 * program, which builds each variant with the very code and library cordon links (seccomp.c,
 * libseccomp's static archive), and cordon copies the matching program at run time. The API
 * level libseccomp shapes programs by is pinned (seccomp.c), so nothing here depends on the
 * build machine's kernel. A variant a libseccomp too old to pin level 6 cannot build as asked
 * (notify rules) is left out: cordon then builds it on the host it runs on. test_seccomp checks that every
 * generated program equals what libseccomp builds now. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp_int.h"

/* The generator itself always builds with libseccomp. */
const struct cordon_seccomp_prebuilt *cordon_seccomp_prebuilt_find(struct cordon_seccomp_variant v)
{
	(void)v;
	return NULL;
}

static void print_variant(FILE *out, size_t i, struct cordon_seccomp_variant v,
                          const struct sock_filter *prog, unsigned short len)
{
	fprintf(out, "/* network_off=%d notify=%d create_notify=%d */\n", v.network_off, v.notify,
	        v.create_notify);
	fprintf(out, "static const struct sock_filter prog_%zu[%u] = {\n", i, (unsigned)len);
	for (unsigned short k = 0; k < len; k++)
		fprintf(out, "\t{0x%04x, %u, %u, 0x%08x},\n", prog[k].code, prog[k].jt, prog[k].jf,
		        prog[k].k);
	fprintf(out, "};\n\n");
}

static int generate_all(FILE *out, struct cordon_seccomp_variant *made, size_t *n)
{
	*n = 0;
	for (int bits = 0; bits < 8; bits++) {
		struct cordon_seccomp_variant v = {
		        .network_off = bits & 1, .notify = bits & 2, .create_notify = bits & 4};
		if (v.create_notify && !v.notify)
			continue;
		struct cordon_seccomp *sc = NULL;
		cordon_error err = {0};
		if (cordon_seccomp_generate(v, &sc, &err) < 0) {
			fprintf(stderr, "cordon-seccomp-gen: %s\n", err.msg);
			return -1;
		}
		const struct sock_filter *prog = NULL;
		unsigned short len = cordon_seccomp_program(sc, &prog);
		/* Built without the notify rules here (libseccomp too old): left to run time. */
		if (cordon_seccomp_notifies(sc) == v.notify) {
			print_variant(out, *n, v, prog, len);
			made[(*n)++] = v;
		}
		cordon_seccomp_free(sc);
	}
	return 0;
}

static void print_table(FILE *out, const struct cordon_seccomp_variant *made, size_t n)
{
	fprintf(out, "static const struct cordon_seccomp_prebuilt prebuilt[] = {\n");
	for (size_t i = 0; i < n; i++)
		fprintf(out,
		        "\t{{%d, %d, %d}, sizeof(prog_%zu) / sizeof(prog_%zu[0]), prog_%zu},\n",
		        made[i].network_off, made[i].notify, made[i].create_notify, i, i, i);
	fprintf(out, "\t{{0, 0, 0}, 0, NULL}, /* the end (and never empty) */\n};\n\n");
	fprintf(out, "const struct cordon_seccomp_prebuilt *\n"
	             "cordon_seccomp_prebuilt_find(struct cordon_seccomp_variant v)\n{\n"
	             "\tfor (const struct cordon_seccomp_prebuilt *p = prebuilt; p->len; p++)\n"
	             "\t\tif (p->variant.network_off == v.network_off && p->variant.notify == "
	             "v.notify &&\n"
	             "\t\t    p->variant.create_notify == v.create_notify)\n"
	             "\t\t\treturn p;\n"
	             "\treturn NULL;\n}\n");
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return fprintf(stderr, "usage: cordon-seccomp-gen OUT.c\n"), 2;
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
	FILE *out = fopen(tmp, "w");
	if (!out)
		return perror(tmp), 1;
	fprintf(out,
	        "/* Generated at build time by cordon-seccomp-gen (src/gen/seccomp_gen.c) from\n"
	        " * seccomp.c's rules and libseccomp: not to be edited or committed. */\n"
	        "#include \"seccomp_int.h\"\n\n");
	struct cordon_seccomp_variant made[8];
	size_t n = 0;
	int r = generate_all(out, made, &n);
	if (r == 0)
		print_table(out, made, n);
	if (fclose(out) != 0 || r < 0 || rename(tmp, argv[1]) < 0) {
		fprintf(stderr, "cordon-seccomp-gen: cannot write %s: %s\n", argv[1],
		        r < 0 ? strerror(-r) : strerror(errno));
		unlink(tmp);
		return 1;
	}
	return 0;
}
