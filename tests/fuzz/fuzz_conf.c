/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The configuration loader on arbitrary files: it must report problems,
 * never crash or leak, and anything it accepts must hold its invariants.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "milter/conf.h"

static void
ignore(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64];
	struct conf *c;
	size_t i;

	if (fd < 0 && (fd = memfd_create("fuzz_conf", 0)) < 0)
		return 0;
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((c = conf_load(path, ignore, NULL)) == NULL)
		return 0;
	for (i = 0; i < c->nidentities; i++) {
		const char *mf = c->identities[i].mail_from_domain;
		const char *at = strchr(c->identities[i].name, '@');

		if (mf != NULL &&
		    !conf_is_subdomain(mf, at ? at + 1 : c->identities[i].name))
			__builtin_trap();
		if (i > 0 &&
		    strcmp(c->identities[i - 1].name, c->identities[i].name) >=
			0)
			__builtin_trap(); /* sorted, no duplicates */
	}
	if (c->dns_min_ttl > c->dns_max_ttl)
		__builtin_trap();
	conf_unref(c);
	return 0;
}
