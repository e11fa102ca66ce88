/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/audit.h"

#include <stdbool.h>
#include <string.h>

#include "milter/log.h"

struct audit_buf {
	char *p;
	size_t size, len;
};

static void
audit_putc(struct audit_buf *b, char c)
{
	if (b->len + 1 < b->size)
		b->p[b->len++] = c;
}

static void
audit_puts(struct audit_buf *b, const char *s)
{
	while (*s != '\0')
		audit_putc(b, *s++);
}

static void
audit_escaped(struct audit_buf *b, const char *s, bool angle)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;

	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if (c <= 0x20 || c == 0x7f || c == '%' || c == '=' ||
		    (angle && (c == '<' || c == '>'))) {
			audit_putc(b, '%');
			audit_putc(b, hex[c >> 4]);
			audit_putc(b, hex[c & 15]);
		} else
			audit_putc(b, (char)c);
	}
}

static void
audit_field(struct audit_buf *b, const char *key, const char *value)
{
	if (value == NULL)
		return;
	audit_putc(b, ' ');
	audit_puts(b, key);
	audit_putc(b, '=');
	audit_escaped(b, value, false);
}

size_t
audit_format(char *buf, size_t size, const struct audit_rec *r)
{
	struct audit_buf b = { buf, size, 0 };

	if (size == 0)
		return 0;
	audit_escaped(&b, r->queue_id != NULL ? r->queue_id : "NOQUEUE", false);
	audit_putc(&b, ':');
	audit_field(&b, "msg", r->msg);
	audit_field(&b, "stage", r->stage);
	if (r->sender != NULL) {
		audit_puts(&b, " sender=<");
		audit_escaped(&b, r->sender, true);
		audit_putc(&b, '>');
	}
	audit_field(&b, "identity", r->identity);
	audit_field(&b, "mail_from_domain", r->mail_from_domain);
	audit_field(&b, "mx", r->mx);
	audit_field(&b, "status", r->status);
	audit_field(&b, "behavior", r->behavior);
	audit_field(&b, "action", r->action);
	audit_field(&b, "reply", r->reply);
	audit_field(&b, "spared", r->spared);
	audit_field(&b, "origin", r->origin);
	audit_field(&b, "rewritten", r->rewritten);
	audit_field(&b, "reason", r->reason);
	b.p[b.len] = '\0';
	return b.len;
}

void
audit_log(const struct audit_rec *r)
{
	char line[AUDIT_LINE_MAX];

	audit_format(line, sizeof(line), r);
	log_info("%s", line);
}
