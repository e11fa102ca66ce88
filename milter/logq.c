/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/logq.h"

#include <stdlib.h>
#include <string.h>

bool
logq_init(struct logq *q, size_t cap)
{
	memset(q, 0, sizeof(*q));
	if (cap == 0 || (q->slots = calloc(cap, sizeof(*q->slots))) == NULL)
		return false;
	q->cap = cap;
	return true;
}

void
logq_free(struct logq *q)
{
	free(q->slots);
	memset(q, 0, sizeof(*q));
}

bool
logq_push(struct logq *q, int prio, const char *line, size_t len)
{
	struct logq_entry *e;

	if (q->count == q->cap) {
		q->dropped++;
		return false;
	}
	e = &q->slots[(q->head + q->count) % q->cap];
	if (len >= sizeof(e->line))
		len = sizeof(e->line) - 1;
	memcpy(e->line, line, len);
	e->line[len] = '\0';
	e->len = len;
	e->prio = prio;
	q->count++;
	return true;
}

const struct logq_entry *
logq_front(const struct logq *q)
{
	return q->count == 0 ? NULL : &q->slots[q->head];
}

void
logq_drop_front(struct logq *q)
{
	if (q->count == 0)
		return;
	q->head = (q->head + 1) % q->cap;
	q->count--;
}

bool
logq_pop(struct logq *q, struct logq_entry *out)
{
	const struct logq_entry *e = logq_front(q);

	if (e == NULL)
		return false;
	out->prio = e->prio;
	out->len = e->len;
	memcpy(out->line, e->line, e->len + 1);
	logq_drop_front(q);
	return true;
}

unsigned long
logq_take_dropped(struct logq *q)
{
	unsigned long n = q->dropped;

	q->dropped = 0;
	return n;
}
