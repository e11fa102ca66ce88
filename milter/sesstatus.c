/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/sesstatus.h"

#include <stdlib.h>
#include <string.h>

static const char *const sesstatus_names[] = {
	[SESSTATUS_UNKNOWN] = NULL,
	[SESSTATUS_SUCCESS] = "Success",
	[SESSTATUS_PENDING] = "Pending",
	[SESSTATUS_TEMPORARY_FAILURE] = "TemporaryFailure",
	[SESSTATUS_FAILED] = "Failed",
};
#define SESSTATUS_N (sizeof(sesstatus_names) / sizeof(sesstatus_names[0]))

struct sesstatus *
sesstatus_new(struct conf *c)
{
	struct sesstatus *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if (c->nidentities > 0 &&
	    (s->entries = calloc(c->nidentities, sizeof(*s->entries))) ==
		NULL) {
		free(s);
		return NULL;
	}
	s->conf = conf_ref(c);
	atomic_init(&s->refs, 1);
	return s;
}

void
sesstatus_set(
    struct sesstatus *s, size_t i, enum sesstatus_value v, time_t checked)
{
	if (i >= s->conf->nidentities)
		return;
	s->entries[i].status = v;
	s->entries[i].checked = checked;
}

struct sesstatus *
sesstatus_ref(struct sesstatus *s)
{
	atomic_fetch_add(&s->refs, 1);
	return s;
}

void
sesstatus_unref(struct sesstatus *s)
{
	if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	conf_unref(s->conf);
	free(s->entries);
	free(s);
}

enum sesstatus_value
sesstatus_lookup(const struct sesstatus *s, const struct conf *c,
    const struct conf_identity *id, time_t now)
{
	const struct sesstatus_entry *e;
	size_t i;

	if (s == NULL || s->conf != c || id == NULL || id < c->identities ||
	    (i = (size_t)(id - c->identities)) >= c->nidentities)
		return SESSTATUS_UNKNOWN;
	e = &s->entries[i];
	/* a clock set back makes an entry look recent, never stale */
	if (e->checked == 0 ||
	    (now > e->checked &&
		now - e->checked > 2 * (time_t)c->sync_interval))
		return SESSTATUS_UNKNOWN;
	return e->status;
}

enum sesstatus_value
sesstatus_parse(const char *name)
{
	size_t i;

	for (i = 1; name != NULL && i < SESSTATUS_N; i++)
		if (strcmp(name, sesstatus_names[i]) == 0)
			return (enum sesstatus_value)i;
	return SESSTATUS_UNKNOWN;
}

const char *
sesstatus_name(enum sesstatus_value v)
{
	return (size_t)v < SESSTATUS_N ? sesstatus_names[v] : NULL;
}
