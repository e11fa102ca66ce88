/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for milter/addr.  Beyond "no crash": whatever parses
 * must hold to the header's promises, and local@domain must come back
 * unchanged through addr_join() and a second parse, bracketed or not.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "milter/addr.h"

static void
fuzz_check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_addr: %s\n", what);
		abort();
	}
}

static bool
fuzz_all_zero(const struct addr *a)
{
	static const struct addr zero;

	return memcmp(a, &zero, sizeof(zero)) == 0;
}

static bool
fuzz_has_8bit(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

static void
fuzz_check_fields(const struct addr *a, bool with_local)
{
	size_t ll, dl, i;

	fuzz_check(memchr(a->local, '\0', sizeof(a->local)) != NULL,
	    "local not terminated");
	fuzz_check(memchr(a->domain, '\0', sizeof(a->domain)) != NULL,
	    "domain not terminated");
	ll = strlen(a->local);
	dl = strlen(a->domain);
	fuzz_check(with_local ? ll > 0 : ll == 0, "local length");
	fuzz_check(dl > 0 && dl <= ADDR_DOMAIN_MAX, "domain length");
	fuzz_check(
	    !with_local || ll + 1 + dl + 2 <= ADDR_PATH_MAX, "path length");
	for (i = 0; i < dl; i++)
		fuzz_check(!(a->domain[i] >= 'A' && a->domain[i] <= 'Z'),
		    "domain case");
	fuzz_check(a->domain[dl - 1] != '.', "root dot kept");
	fuzz_check(a->quoted == (a->local[0] == '"'), "quoted flag");
	fuzz_check(a->ip_literal == (a->domain[0] == '['), "ip_literal flag");
	fuzz_check(
	    a->utf8 == (fuzz_has_8bit(a->local) || fuzz_has_8bit(a->domain)),
	    "utf8 flag");
}

static void
fuzz_same(const struct addr *a, const struct addr *b, const char *what)
{
	fuzz_check(strcmp(a->local, b->local) == 0 &&
		strcmp(a->domain, b->domain) == 0 && a->quoted == b->quoted &&
		a->ip_literal == b->ip_literal && a->utf8 == b->utf8,
	    what);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr a, b;
	char joined[ADDR_PATH_MAX + 1], path[ADDR_PATH_MAX + 1];
	enum addr_status st;

	memset(&a, 0x5a, sizeof(a));
	st = addr_parse((const char *)data, size, &a);
	fuzz_check(addr_strerror(st) != NULL, "strerror");
	if (st == ADDR_OK) {
		fuzz_check_fields(&a, true);
		fuzz_check(addr_join(a.local, a.domain, joined, sizeof(joined)),
		    "join");
		fuzz_check(
		    strlen(joined) + 2 <= ADDR_PATH_MAX, "joined length");
		fuzz_check(addr_parse(joined, strlen(joined), &b) == ADDR_OK,
		    "reparse");
		fuzz_same(&a, &b, "reparse differs");
		snprintf(path, sizeof(path), "<%s>", joined);
		fuzz_check(addr_parse(path, strlen(path), &b) == ADDR_OK,
		    "reparse path");
		fuzz_same(&a, &b, "reparse path differs");
	} else
		fuzz_check(fuzz_all_zero(&a), "failed parse left data");

	memset(&a, 0x5a, sizeof(a));
	st = addr_parse_domain((const char *)data, size, &a);
	if (st == ADDR_OK) {
		fuzz_check_fields(&a, false);
		fuzz_check(addr_parse_domain(a.domain, strlen(a.domain), &b) ==
			ADDR_OK,
		    "domain reparse");
		fuzz_same(&a, &b, "domain reparse differs");
	} else
		fuzz_check(fuzz_all_zero(&a), "failed domain parse left data");
	return 0;
}
