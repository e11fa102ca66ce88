/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/audit.h"

#include "milter/kvline.h"
#include "milter/log.h"

void
audit_format(struct kvline *l, const struct audit_rec *r)
{
	kvline_init(l, "");
	kvline_value(l, r->queue_id != NULL ? r->queue_id : "NOQUEUE");
	kvline_text(l, ":");
	kvline_add(l, "msg", r->msg);
	kvline_add(l, "stage", r->stage);
	kvline_add(l, "sender", r->sender);
	kvline_add(l, "mailbox", r->mailbox);
	kvline_add(l, "identity", r->identity);
	kvline_add(l, "mail_from_domain", r->mail_from_domain);
	kvline_add(l, "mx", r->mx);
	kvline_add(l, "ses_status", r->ses_status);
	kvline_add(l, "status", r->status);
	kvline_add(l, "basis", r->basis);
	kvline_add(l, "behavior", r->behavior);
	kvline_add(l, "action", r->action);
	kvline_add(l, "reply", r->reply);
	kvline_add(l, "spared", r->spared);
	kvline_add(l, "origin", r->origin);
	kvline_add(l, "rewritten", r->rewritten);
	kvline_add(l, "reason", r->reason);
}

void
audit_log(const struct audit_rec *r)
{
	struct kvline l;

	audit_format(&l, r);
	log_info("%s", kvline_str(&l));
}
