/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/sync/snapshot.h"

#include <strings.h>

struct sesstatus *
snapshot_make(struct conf *c, const struct state *st)
{
	const struct conf_identity *want;
	const struct state_identity *have;
	struct sesstatus *snap;
	size_t i;

	if ((snap = sesstatus_new(c)) == NULL)
		return NULL;
	for (i = 0; st != NULL && i < c->nidentities; i++) {
		want = &c->identities[i];
		have = state_find(st, want->name);
		if (want->mail_from_domain == NULL || have == NULL ||
		    !have->known || have->ses.mail_from_domain == NULL ||
		    strcasecmp(have->ses.mail_from_domain,
			want->mail_from_domain) != 0)
			continue;
		sesstatus_set(
		    snap, i, sesstatus_parse(have->ses.status), have->checked);
	}
	return snap;
}
