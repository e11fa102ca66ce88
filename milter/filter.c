#include "milter/filter.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "milter/addr.h"
#include "milter/audit.h"
#include "milter/conf.h"
#include "milter/log.h"

static pthread_mutex_t filter_conf_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct conf *filter_conf;
static atomic_ulong filter_conn_seq;

/*
 * Per-connection state, with the per-message part reset at every MAIL FROM
 * and released at end-of-message, abort and close: a message must never
 * see the previous one's sender.
 */
struct filter_msg {
	bool active;
	struct conf *conf;		/* reference held for the message */
	char sender[ADDR_PATH_MAX + 1];	/* as received, without <> */
	char id[32];			/* "connection.message", for the audit */
	const char *action;
};

struct filter_conn {
	unsigned long seq;
	unsigned nmsg;
	struct filter_msg msg;
};

void
filter_set_conf(struct conf *c)
{
	struct conf *old;

	pthread_mutex_lock(&filter_conf_mtx);
	old = filter_conf;
	filter_conf = c;
	pthread_mutex_unlock(&filter_conf_mtx);
	conf_unref(old);
}

struct conf *
filter_get_conf(void)
{
	struct conf *c;

	pthread_mutex_lock(&filter_conf_mtx);
	c = conf_ref(filter_conf);
	pthread_mutex_unlock(&filter_conf_mtx);
	return c;
}

static void
filter_msg_end(struct filter_msg *m)
{
	if (!m->active)
		return;
	conf_unref(m->conf);
	memset(m, 0, sizeof(*m));
}

/*
 * What the filter does when something it did not plan for happens:
 * on_internal_error decides, and the reason is always logged, so the
 * outcome is never a silent 5xx.
 */
static sfsistat
filter_internal_error(SMFICTX *ctx, const char *why)
{
	struct conf *c = filter_get_conf();
	bool accept = c->on_internal_error == CONF_ACCEPT;

	conf_unref(c);
	log_warnx("NOQUEUE: internal error: %s; action=%s", why,
	    accept ? "accept" : "tempfail");
	if (accept)
		return SMFIS_ACCEPT;
	smfi_setreply(ctx, "451", "4.3.0", "ses-mailfrom-milter: temporary local problem");
	return SMFIS_TEMPFAIL;
}

static sfsistat
filter_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *hostaddr)
{
	struct filter_conn *fc;

	(void)hostname;
	(void)hostaddr;
	if ((fc = calloc(1, sizeof(*fc))) == NULL)
		return filter_internal_error(ctx, "out of memory");
	fc->seq = atomic_fetch_add(&filter_conn_seq, 1) + 1;
	smfi_setpriv(ctx, fc);
	return SMFIS_CONTINUE;
}

/* Strips the angle brackets for the audit line; the parser sees argv[0] whole. */
static void
filter_copy_sender(char *dst, size_t size, const char *arg)
{
	size_t len = strlen(arg);

	if (len >= 2 && arg[0] == '<' && arg[len - 1] == '>') {
		arg++;
		len -= 2;
	}
	if (len >= size)
		len = size - 1;
	memcpy(dst, arg, len);
	dst[len] = '\0';
}

static sfsistat
filter_envfrom(SMFICTX *ctx, char **argv)
{
	struct filter_conn *fc = smfi_getpriv(ctx);
	struct filter_msg *m;
	struct audit_rec rec;
	struct addr a;
	enum addr_status st;
	const char *qid;

	if (fc == NULL)
		return filter_internal_error(ctx, "no connection state at MAIL FROM");
	if (argv == NULL || argv[0] == NULL)
		return filter_internal_error(ctx, "MAIL FROM without a sender");
	m = &fc->msg;
	filter_msg_end(m);	/* a refused MAIL FROM gets no abort callback */
	m->active = true;
	m->conf = filter_get_conf();
	snprintf(m->id, sizeof(m->id), "%lu.%u", fc->seq, ++fc->nmsg);
	filter_copy_sender(m->sender, sizeof(m->sender), argv[0]);

	memset(&rec, 0, sizeof(rec));
	st = addr_parse(argv[0], strlen(argv[0]), &a);
	m->action = "accept";
	if (st != ADDR_OK && st != ADDR_NULL)
		rec.reason = addr_strerror(st);
	qid = smfi_getsymval(ctx, "i");
	rec.queue_id = qid;
	rec.msg = m->id;
	rec.stage = "mail";
	rec.sender = m->sender;
	rec.action = m->action;
	audit_log(&rec);
	return SMFIS_CONTINUE;
}

static sfsistat
filter_eom(SMFICTX *ctx)
{
	struct filter_conn *fc = smfi_getpriv(ctx);
	struct audit_rec rec;

	if (fc == NULL || !fc->msg.active)
		return filter_internal_error(ctx, "no message state at end of message");
	memset(&rec, 0, sizeof(rec));
	rec.queue_id = smfi_getsymval(ctx, "i");
	rec.msg = fc->msg.id;
	rec.stage = "eom";
	rec.sender = fc->msg.sender;
	rec.action = fc->msg.action;
	audit_log(&rec);
	filter_msg_end(&fc->msg);
	return SMFIS_ACCEPT;
}

static sfsistat
filter_abort(SMFICTX *ctx)
{
	struct filter_conn *fc = smfi_getpriv(ctx);

	if (fc != NULL)
		filter_msg_end(&fc->msg);
	return SMFIS_CONTINUE;
}

static sfsistat
filter_close(SMFICTX *ctx)
{
	struct filter_conn *fc = smfi_getpriv(ctx);

	if (fc != NULL) {
		filter_msg_end(&fc->msg);
		free(fc);
		smfi_setpriv(ctx, NULL);
	}
	return SMFIS_CONTINUE;
}

struct smfiDesc filter_desc = {
	.xxfi_name = "ses-mailfrom-milter",
	.xxfi_version = SMFI_VERSION,
	/* CHGFROM: rewrite_envelope changes the envelope sender at end-of-message. */
	.xxfi_flags = SMFIF_CHGFROM,
	.xxfi_connect = filter_connect,
	.xxfi_envfrom = filter_envfrom,
	.xxfi_eom = filter_eom,
	.xxfi_abort = filter_abort,
	.xxfi_close = filter_close,
};
