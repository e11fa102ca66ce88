/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ident: finds the SES identity a sender belongs to, as SES ranks them:
 * the exact address, then its domain, then each parent domain (an address
 * identity overrides its domain's, a lower subdomain a higher one's).
 *
 * An open-addressing hash table over the configured identities: a lookup
 * costs O(labels) hash probes whatever the number of identities, and
 * allocates nothing. The index points into the identity array it was built
 * from and must not outlive it (struct conf owns both).
 */
#ifndef IDENT_H
#define IDENT_H

#include <stddef.h>

struct conf_identity;
struct ident_index;

/* NULL when out of memory. Names must be unique (conf_load guarantees it). */
struct ident_index *ident_build(const struct conf_identity *ids, size_t n);
void ident_free(struct ident_index *);

/*
 * local as written (compared exactly), domain lower-case without a
 * trailing dot, as addr_parse() gives them. NULL: no identity.
 */
const struct conf_identity *ident_find(
    const struct ident_index *, const char *local, const char *domain);

#endif
