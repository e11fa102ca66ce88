/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/filter.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "milter/addr.h"
#include "milter/alabel.h"
#include "milter/audit.h"
#include "milter/conf.h"
#include "milter/decide.h"
#include "milter/ident.h"
#include "milter/log.h"
#include "milter/metrics.h"
#include "milter/origin.h"
#include "milter/sesstatus.h"
#include "milter/dns/resolver.h"

#define FILTER_UNKNOWN_REPLY \
	"sender <%{sender}> has no Amazon SES identity on this gateway"
#define FILTER_INTERNAL_REPLY "ses-mailfrom-milter: temporary local problem"

static pthread_mutex_t filter_rt_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct conf *filter_conf;
static struct resolver *filter_resolver;
static struct sesstatus *filter_ses;
static atomic_ulong filter_conn_seq;

/*
 * Per-connection state, with the per-message part reset at every MAIL FROM
 * and released at end-of-message, abort and close: a message must never
 * see the previous one's sender.
 */
struct filter_msg {
	bool active;
	struct conf *conf;              /* reference held for the message */
	char sender[ADDR_PATH_MAX + 1]; /* as received, without <> */
	char id[32];            /* "connection.message", for the audit */
	struct addr addr;       /* domain in A-label form */
	const char *bad_sender; /* why it did not parse; NULL */
	char mailbox[ADDR_PATH_MAX + 1]; /* addr joined; "" */
	struct decide_out d;
	const struct conf_identity *identity; /* points into conf */
	const char *mx;           /* the MX check's result; NULL: none made */
	enum sesstatus_value ses; /* the SES status it was weighed with */
	bool audit_due;           /* accepted at MAIL FROM, line not written */
};

struct filter_conn {
	unsigned long seq;
	unsigned nmsg;
	bool local; /* not from an SMTP client: see filter_connect() */
	struct filter_msg msg;
};

void
filter_set_runtime(struct conf *c, struct resolver *r)
{
	struct conf *oldc;
	struct resolver *oldr;

	pthread_mutex_lock(&filter_rt_mtx);
	oldc = filter_conf;
	oldr = filter_resolver;
	filter_conf = c;
	filter_resolver = r;
	pthread_mutex_unlock(&filter_rt_mtx);
	conf_unref(oldc);
	resolver_unref(oldr);
}

void
filter_set_sesstatus(struct sesstatus *s)
{
	struct sesstatus *old;

	pthread_mutex_lock(&filter_rt_mtx);
	old = filter_ses;
	filter_ses = s;
	pthread_mutex_unlock(&filter_rt_mtx);
	sesstatus_unref(old);
}

/* One short lock for all a message needs; S may be NULL. */
static void
filter_take_runtime(struct conf **c, struct resolver **r, struct sesstatus **s)
{
	pthread_mutex_lock(&filter_rt_mtx);
	*c = filter_conf != NULL ? conf_ref(filter_conf) : NULL;
	if (r != NULL)
		*r = filter_resolver != NULL ? resolver_ref(filter_resolver)
					     : NULL;
	if (s != NULL)
		*s = filter_ses != NULL ? sesstatus_ref(filter_ses) : NULL;
	pthread_mutex_unlock(&filter_rt_mtx);
}

void
filter_get_runtime(struct conf **c, struct resolver **r)
{
	filter_take_runtime(c, r, NULL);
}

static void filter_audit(SMFICTX *, const struct filter_conn *,
    const char *stage, const char *action, const char *reason,
    const char *rewritten);

/*
 * Ends the message; one accepted at MAIL FROM that did not reach its end
 * (RSET, a refused recipient, a lost client) gets its audit line here.
 * CTX is NULL at close, when the MTA's macros are gone.
 */
static void
filter_msg_end(SMFICTX *ctx, struct filter_conn *fc)
{
	struct filter_msg *m = &fc->msg;

	if (!m->active)
		return;
	if (m->audit_due)
		filter_audit(ctx, fc, "abort", NULL, NULL, NULL);
	conf_unref(m->conf);
	memset(m, 0, sizeof(*m));
}

/*
 * What the filter does when something it did not plan for happens:
 * on_internal_error decides, and the reason is always logged, so the
 * outcome is never a silent 5xx. Local submissions are never refused.
 */
static sfsistat
filter_internal_error(
    SMFICTX *ctx, const struct filter_conn *fc, const char *why)
{
	struct conf *c;
	bool accept;

	filter_get_runtime(&c, NULL);
	accept = c == NULL || c->on_internal_error == CONF_ACCEPT ||
	    (fc != NULL && fc->local);
	conf_unref(c);
	log_warnx("NOQUEUE: error=\"internal error: %s\" action=%s", why,
	    accept ? "accept" : "tempfail");
	metrics_message(
	    accept ? METRICS_ACCEPT : METRICS_TEMPFAIL, METRICS_R_ERROR);
	if (accept)
		return SMFIS_ACCEPT;
	smfi_setreply(ctx, "451", "4.3.0", FILTER_INTERNAL_REPLY);
	return SMFIS_TEMPFAIL;
}

/* The connection's facts for origin_is_local(), which decides. */
static bool
filter_is_local(SMFICTX *ctx, const _SOCK_ADDR *sa)
{
	struct origin_in in;
	struct conf *c;
	bool local;

	memset(&in, 0, sizeof(in));
	in.mta = smfi_getsymval(ctx, "v");
	in.daemon_name = smfi_getsymval(ctx, "{daemon_name}");
	in.port = -1;
	if (sa != NULL && sa->sa_family == AF_INET)
		in.port = ntohs(
		    ((const struct sockaddr_in *)(const void *)sa)->sin_port);
	else if (sa != NULL && sa->sa_family == AF_INET6)
		in.port = ntohs(
		    ((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
	filter_get_runtime(&c, NULL);
	in.local_daemons = c != NULL ? c->local_daemons : NULL;
	local = origin_is_local(&in);
	conf_unref(c);
	return local;
}

static sfsistat
filter_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *hostaddr)
{
	struct filter_conn *fc;

	(void)hostname;
	if ((fc = calloc(1, sizeof(*fc))) == NULL)
		return filter_internal_error(ctx, NULL, "out of memory");
	fc->seq = atomic_fetch_add(&filter_conn_seq, 1) + 1;
	fc->local = filter_is_local(ctx, hostaddr);
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

/*
 * The sender as the identities are compared: canonical local part (addr)
 * and the domain in A-label form, so that an SMTPUTF8 sender in U-labels,
 * upper case included, is the identity SES knows in A-labels.
 */
static enum addr_status
filter_parse_sender(struct filter_msg *m, const char *arg)
{
	char domain[ALABEL_NAME_MAX + 1];
	enum addr_status st;
	const char *why;

	st = addr_parse(arg, strlen(arg), &m->addr);
	if (st != ADDR_OK) {
		if (st != ADDR_NULL)
			m->bad_sender = addr_strerror(st);
		return st;
	}
	if (!m->addr.ip_literal && alabel_needed(m->addr.domain)) {
		if (!alabel_domain(
			m->addr.domain, domain, sizeof(domain), &why)) {
			m->bad_sender = "invalid internationalised domain";
			return ADDR_E_DOMAIN_SYNTAX;
		}
		memcpy(m->addr.domain, domain, strlen(domain) + 1);
	}
	if (!addr_join(
		m->addr.local, m->addr.domain, m->mailbox, sizeof(m->mailbox)))
		m->mailbox[0] = '\0';
	return ADDR_OK;
}

static enum decide_mx
filter_check_mx(struct resolver *res, const struct conf *c, const char *domain,
    const char **name)
{
	enum mx_result r = resolver_mx(res, domain, c->expected_mx, NULL, NULL);

	*name = mx_result_name(r);
	metrics_mx((int)r);
	switch (r) {
	case MX_OK:
		return DECIDE_MX_OK;
	case MX_NXDOMAIN:
	case MX_NODATA:
	case MX_NULL_MX:
	case MX_WRONG_HOST:
	case MX_MULTIPLE:
		return DECIDE_MX_FAILED;
	case MX_SERVFAIL:
	case MX_TIMEOUT:
		return DECIDE_MX_TEMPFAIL;
	case MX_INTERNAL:
		break;
	}
	/* Only a DNS answer fails a domain: anything else is our fault. */
	return DECIDE_MX_INTERNAL;
}

/* Sets the SMTP reply for a refusal; false if libmilter would drop it. */
static bool
filter_reply(SMFICTX *ctx, const struct filter_msg *m, const char *mx)
{
	const struct conf_identity *id = m->identity;
	const char *tmpl;
	char text[512], why[64];

	if (m->d.reason == DECIDE_R_INTERNAL_ERROR)
		tmpl = FILTER_INTERNAL_REPLY;
	else if (m->d.reason != DECIDE_R_REJECT_MESSAGE)
		tmpl = FILTER_UNKNOWN_REPLY;
	else if (m->d.verdict == DECIDE_REJECT)
		tmpl = m->conf->reject_reply;
	else
		tmpl = m->conf->tempfail_reply;
	/* SES's status alone refused it: say so where the MX result goes */
	if (m->d.basis == DECIDE_BASIS_SES) {
		snprintf(why, sizeof(why), "SES status %s", m->d.status);
		mx = why;
	}
	if (!decide_reply_text(tmpl, id ? id->mail_from_domain : NULL,
		id ? id->name : NULL, mx, m->sender, text, sizeof(text)))
		log_warnx("reply text cut to %zu bytes", strlen(text));
	return smfi_setreply(ctx, (char *)m->d.rcode, (char *)m->d.xcode,
		   text) == MI_SUCCESS;
}

/* The metrics' reason: SES's status, or the rule that decided instead. */
static enum metrics_reason
filter_metrics_reason(const struct filter_conn *fc, const char *override)
{
	const struct filter_msg *m = &fc->msg;
	static const enum metrics_reason by_rule[] = {
		[DECIDE_R_BOUNCE] = METRICS_R_BOUNCE,
		[DECIDE_R_OUT_OF_SCOPE] = METRICS_R_OUT_OF_SCOPE,
		[DECIDE_R_UNKNOWN_SENDER] = METRICS_R_UNKNOWN_SENDER,
		[DECIDE_R_NO_MAIL_FROM] = METRICS_R_NO_MAIL_FROM,
	};
	static const enum metrics_reason by_status[] = {
		[METRICS_ST_SUCCESS] = METRICS_R_SUCCESS,
		[METRICS_ST_PENDING] = METRICS_R_PENDING,
		[METRICS_ST_FAILED] = METRICS_R_FAILED,
		[METRICS_ST_TEMPORARY_FAILURE] = METRICS_R_TEMPORARY_FAILURE,
		[METRICS_ST_UNKNOWN] = METRICS_R_ERROR,
	};

	if (override != NULL)
		return METRICS_R_ERROR;
	if (fc->local && m->d.spared != DECIDE_ACCEPT)
		return METRICS_R_LOCAL;
	if (m->d.reason <= DECIDE_R_NO_MAIL_FROM)
		return by_rule[m->d.reason];
	return by_status[metrics_status_of(m->d.status)];
}

/*
 * The message's one audit line: the decision at MAIL FROM and how the
 * message ended (STAGE); ACTION and REASON, when not NULL, replace the
 * decision's (a failed rewrite at end of message).
 */
static void
filter_audit(SMFICTX *ctx, const struct filter_conn *fc, const char *stage,
    const char *action, const char *reason, const char *rewritten)
{
	const struct filter_msg *m = &fc->msg;
	struct audit_rec rec;
	char reply[16];

	memset(&rec, 0, sizeof(rec));
	/* Postfix's smtpd knows it from end of message; Sendmail at MAIL */
	rec.queue_id = ctx != NULL ? smfi_getsymval(ctx, "i") : NULL;
	rec.msg = m->id;
	rec.stage = stage;
	rec.sender = m->sender;
	if (m->mailbox[0] != '\0' && strcmp(m->mailbox, m->sender) != 0)
		rec.mailbox = m->mailbox;
	if (m->identity != NULL) {
		rec.identity = m->identity->name;
		rec.mail_from_domain = m->identity->mail_from_domain;
		if (m->identity->mail_from_domain != NULL)
			rec.behavior =
			    conf_behavior_name(m->identity->behavior);
	}
	rec.mx = m->mx;
	if (m->mx != NULL)
		rec.ses_status = sesstatus_name(m->ses);
	rec.status = m->d.status;
	rec.basis = decide_basis_name(m->d.basis);
	rec.action =
	    action != NULL ? action : decide_verdict_name(m->d.verdict);
	rec.reason = reason != NULL ? reason
	    : m->bad_sender != NULL ? m->bad_sender
				    : decide_reason_name(m->d.reason);
	if (m->d.spared != DECIDE_ACCEPT)
		rec.spared = decide_verdict_name(m->d.spared);
	if (m->d.rcode != NULL) {
		snprintf(reply, sizeof(reply), "%s/%s", m->d.rcode, m->d.xcode);
		rec.reply = reply;
	}
	if (fc->local)
		rec.origin = "local";
	rec.rewritten = rewritten;
	audit_log(&rec);
	metrics_message(m->d.verdict == DECIDE_REJECT ? METRICS_REJECT
		: m->d.verdict == DECIDE_TEMPFAIL ||
		    (action != NULL && strcmp(action, "tempfail") == 0)
		? METRICS_TEMPFAIL
		: METRICS_ACCEPT,
	    filter_metrics_reason(fc, reason));
}

static sfsistat
filter_envfrom(SMFICTX *ctx, char **argv)
{
	struct filter_conn *fc = smfi_getpriv(ctx);
	struct filter_msg *m;
	struct resolver *res;
	struct sesstatus *ses;
	struct decide_in in;
	enum addr_status st;
	const char *auth;
	sfsistat rc;

	if (fc == NULL)
		return filter_internal_error(
		    ctx, NULL, "no connection state at MAIL FROM");
	if (argv == NULL || argv[0] == NULL)
		return filter_internal_error(
		    ctx, fc, "MAIL FROM without a sender");
	m = &fc->msg;
	filter_msg_end(
	    ctx, fc); /* a refused MAIL FROM gets no abort callback */
	filter_take_runtime(&m->conf, &res, &ses);
	if (m->conf == NULL) {
		resolver_unref(res);
		sesstatus_unref(ses);
		return filter_internal_error(ctx, fc, "no configuration");
	}
	m->active = true;
	snprintf(m->id, sizeof(m->id), "%lu.%u", fc->seq, ++fc->nmsg);
	filter_copy_sender(m->sender, sizeof(m->sender), argv[0]);

	st = filter_parse_sender(m, argv[0]);
	if (st == ADDR_OK)
		m->identity =
		    ident_find(m->conf->index, m->addr.local, m->addr.domain);
	auth = smfi_getsymval(ctx, "{auth_authen}");
	memset(&in, 0, sizeof(in));
	in.null_sender = st == ADDR_NULL;
	in.unparsable = st != ADDR_OK && st != ADDR_NULL;
	in.scope = m->conf->scope;
	in.authenticated = auth != NULL && *auth != '\0';
	in.local_submission = fc->local;
	in.identity = m->identity;
	in.unknown_sender = m->conf->unknown_sender;
	in.rewrite_envelope = m->conf->rewrite_envelope;
	in.mx = DECIDE_MX_UNKNOWN;
	in.on_internal_error = m->conf->on_internal_error;
	in.ses = sesstatus_lookup(ses, m->conf, m->identity, time(NULL));
	sesstatus_unref(ses);
	decide(&in, &m->d);
	if (m->d.verdict == DECIDE_LOOKUP_MX) {
		if (res == NULL) {
			filter_msg_end(ctx, fc);
			return filter_internal_error(ctx, fc, "no resolver");
		}
		in.mx = filter_check_mx(
		    res, m->conf, m->identity->mail_from_domain, &m->mx);
		decide(&in, &m->d);
	}
	resolver_unref(res);
	m->ses = in.ses;

	if (m->d.verdict == DECIDE_ACCEPT) {
		m->audit_due = true;
		return SMFIS_CONTINUE;
	}
	filter_audit(ctx, fc, "mail", NULL, NULL, NULL);
	rc = m->d.verdict == DECIDE_REJECT ? SMFIS_REJECT : SMFIS_TEMPFAIL;
	if (!filter_reply(ctx, m, m->mx))
		log_warnx("NOQUEUE: msg=%s error=\"libmilter refused the reply "
			  "text\"",
		    m->id);
	filter_msg_end(ctx, fc);
	return rc;
}

/* Envelope rewrite on Success: local@MAIL_FROM_DOMAIN. */
static bool
filter_rewrite(SMFICTX *ctx, const struct filter_msg *m, char *to, size_t size)
{
	char arg[ADDR_PATH_MAX + 3];

	if (!addr_join(m->addr.local, m->identity->mail_from_domain, to, size))
		return false;
	snprintf(arg, sizeof(arg), "<%s>", to);
	/* No ESMTP arguments: Postfix ignores them and warns. */
	return smfi_chgfrom(ctx, arg, NULL) == MI_SUCCESS;
}

static sfsistat
filter_eom(SMFICTX *ctx)
{
	struct filter_conn *fc = smfi_getpriv(ctx);
	struct filter_msg *m;
	const char *action = NULL, *reason = NULL, *rewritten = NULL;
	char to[ADDR_PATH_MAX + 1];
	sfsistat rc = SMFIS_ACCEPT;

	if (fc == NULL || !fc->msg.active)
		return filter_internal_error(
		    ctx, fc, "no message state at end of message");
	m = &fc->msg;
	if (m->d.rewrite) {
		if (filter_rewrite(ctx, m, to, sizeof(to)))
			rewritten = to;
		else {
			reason = "rewrite-failed";
			if (!fc->local &&
			    m->conf->on_internal_error == CONF_TEMPFAIL) {
				action = "tempfail";
				smfi_setreply(ctx, "451", "4.3.0",
				    "ses-mailfrom-milter: cannot rewrite the envelope sender");
				rc = SMFIS_TEMPFAIL;
			}
		}
	}
	filter_audit(ctx, fc, "eom", action, reason, rewritten);
	m->audit_due = false;
	filter_msg_end(ctx, fc);
	return rc;
}

static sfsistat
filter_abort(SMFICTX *ctx)
{
	struct filter_conn *fc = smfi_getpriv(ctx);

	if (fc != NULL)
		filter_msg_end(ctx, fc);
	return SMFIS_CONTINUE;
}

static sfsistat
filter_close(SMFICTX *ctx)
{
	struct filter_conn *fc = smfi_getpriv(ctx);

	if (fc != NULL) {
		filter_msg_end(NULL, fc);
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
