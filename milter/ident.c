/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/ident.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "milter/addr.h"
#include "milter/conf.h"

#define IDENT_EMPTY UINT32_MAX

struct ident_index {
	const struct conf_identity *ids;
	uint32_t *slots; /* index into ids, or IDENT_EMPTY */
	size_t mask;     /* slot count - 1; a power of two */
};

static uint64_t
ident_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */

	while (len-- > 0) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

struct ident_index *
ident_build(const struct conf_identity *ids, size_t n)
{
	struct ident_index *ix;
	size_t size = 16, i, j;

	if (n >= IDENT_EMPTY / 2)
		return NULL;
	while (size < n * 2) /* load at most one half: short probe runs */
		size *= 2;
	if ((ix = calloc(1, sizeof(*ix))) == NULL)
		return NULL;
	if ((ix->slots = malloc(size * sizeof(*ix->slots))) == NULL) {
		free(ix);
		return NULL;
	}
	memset(ix->slots, 0xff, size * sizeof(*ix->slots));
	ix->ids = ids;
	ix->mask = size - 1;
	for (i = 0; i < n; i++) {
		j = ident_hash(ids[i].name, strlen(ids[i].name)) & ix->mask;
		while (ix->slots[j] != IDENT_EMPTY)
			j = (j + 1) & ix->mask;
		ix->slots[j] = (uint32_t)i;
	}
	return ix;
}

void
ident_free(struct ident_index *ix)
{
	if (ix == NULL)
		return;
	free(ix->slots);
	free(ix);
}

static const struct conf_identity *
ident_get(const struct ident_index *ix, const char *key, size_t len)
{
	size_t j = ident_hash(key, len) & ix->mask;
	uint32_t k;

	while ((k = ix->slots[j]) != IDENT_EMPTY) {
		const char *name = ix->ids[k].name;

		if (strncmp(name, key, len) == 0 && name[len] == '\0')
			return &ix->ids[k];
		j = (j + 1) & ix->mask;
	}
	return NULL;
}

const struct conf_identity *
ident_find(const struct ident_index *ix, const char *local, const char *domain)
{
	const struct conf_identity *id;
	char addr[ADDR_PATH_MAX + 1];
	const char *d;

	if (ix == NULL || *domain == '\0')
		return NULL;
	if (*local != '\0' && addr_join(local, domain, addr, sizeof(addr)) &&
	    (id = ident_get(ix, addr, strlen(addr))) != NULL)
		return id;
	for (d = domain;;) {
		if ((id = ident_get(ix, d, strlen(d))) != NULL)
			return id;
		if ((d = strchr(d, '.')) == NULL || *++d == '\0')
			return NULL;
	}
}
