/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One pass of the synchroniser: read SES, plan, set what differs, compare
 * statuses; and the SES client a configuration describes.
 */
#include "milter/sync/syncpass.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "milter/kvline.h"
#include "milter/log.h"
#include "milter/metrics.h"
#include "ses/awsenv.h"
#include "ses/errbuf.h"

#define GET_BATCH 100 /* SES's limit of identities per Get */
#define CONNECT_TIMEOUT_MS 5000
#define REQUEST_TIMEOUT_MS 15000
#define SES_STATUS_SUCCESS "Success"

static const char *const get_action = "GetIdentityMailFromDomainAttributes";
static const char *const verification_action =
    "GetIdentityVerificationAttributes";
static const char *const set_action = "SetIdentityMailFromDomain";

/* ---- the client ---- */

int
syncpass_link_open(const struct conf *c, const struct syncpass_client_opts *o,
    struct syncpass_link *l, char *err, size_t errlen)
{
	static const struct syncpass_client_opts none;
	struct ses_client_options so;
	struct awsenv_endpoint ep;
	const char *region, *url, *profile;

	memset(l, 0, sizeof(*l));
	if (o == NULL)
		o = &none;
	region = o->region != NULL ? o->region : c->region;
	if (!awsenv_region_valid(region)) {
		snprintf(err, errlen, "invalid region '%.64s'", region);
		return -1;
	}
	/* the configuration's endpoint is the admin's explicit choice */
	url = o->endpoint_url != NULL ? o->endpoint_url
	    : c->endpoint[0] != '\0'  ? c->endpoint
				      : NULL;
	if (awsenv_endpoint(url, region, &ep, err, errlen) != AWSENV_OK)
		return -1;
	profile = o->profile != NULL ? o->profile : c->profile;
	if ((l->creds = creds_provider_new(&(struct creds_options){
		 .profile = profile[0] != '\0' ? profile : NULL,
		 .debug = o->debug,
		 .debug_arg = o->debug_arg,
		 .region = region,
		 .cancel = o->http.cancel })) == NULL) {
		awsenv_endpoint_free(&ep);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	memset(&so, 0, sizeof(so));
	so.region = region;
	so.endpoint_url = ep.url;
	so.creds = l->creds;
	so.http = o->http;
	if (so.http.connect_timeout_ms == 0)
		so.http.connect_timeout_ms = CONNECT_TIMEOUT_MS;
	if (so.http.timeout_ms == 0)
		so.http.timeout_ms = REQUEST_TIMEOUT_MS;
	if (so.http.user_agent == NULL)
		so.http.user_agent = "ses-mailfrom-milter/" VERSION;
	so.debug = o->debug;
	so.debug_arg = o->debug_arg;
	l->client = ses_client_new(&so, err, errlen);
	awsenv_endpoint_free(&ep);
	if (l->client == NULL) {
		creds_provider_free(l->creds);
		l->creds = NULL;
		return -1;
	}
	return 0;
}

void
syncpass_link_close(struct syncpass_link *l)
{
	ses_client_free(l->client);
	creds_provider_free(l->creds);
	memset(l, 0, sizeof(*l));
}

/* ---- one pass ---- */

const char *
syncpass_outcome_name(enum syncpass_outcome o)
{
	switch (o) {
	case SYNCPASS_IN_STEP:
		return "in-step";
	case SYNCPASS_CHANGED:
		return "ok";
	case SYNCPASS_FAILED:
		return "error";
	case SYNCPASS_WOULD_CHANGE:
		return "dry-run";
	case SYNCPASS_UNKNOWN:
		return "unknown-identity";
	case SYNCPASS_REVERIFIED:
		return "reverified";
	case SYNCPASS_WOULD_REVERIFY:
		return "dry-run-reverify";
	case SYNCPASS_NOT_DONE:
		return "not-done";
	}
	return "?";
}

static bool
syncpass_cancelled(const struct syncpass *p)
{
	return p->cancelled != NULL && p->cancelled(p->cancel_arg);
}

/*
 * SES's text as the daemon logs and stores it: cut before the canonical
 * request and string to sign a SigV4 error appends, which are of no use
 * in a log and may carry the session token (the client has redacted the
 * credentials it used already); NULL when out of memory.
 */
static char *
syncpass_message(const struct ses_result *res)
{
	return errbuf_scrub(res->message, NULL, 0, true);
}

/* The result part of an audit line: result=ok|error, why, attempts. */
static void
syncpass_audit_result(struct kvline *l, const struct ses_result *res, int rc)
{
	char *msg;

	kvline_add(l, "result", rc == 0 ? "ok" : "error");
	if (rc != 0) {
		kvline_add(l, "error", ses_error_kind_name(res->kind));
		if (res->kind == SES_ESERVICE)
			kvline_add(l, "code", res->code);
		else if (res->kind == SES_ETRANSPORT)
			kvline_add(l, "code", http_error_name(res->http_error));
		if (res->http_status != 0)
			kvline_addi(l, "http_status", res->http_status);
		/* a parse failure's message quotes the whole body */
		if (res->kind != SES_EPARSE && res->message != NULL) {
			msg = syncpass_message(res);
			kvline_add(
			    l, "message", msg != NULL ? msg : strerror(ENOMEM));
			free(msg);
		}
	}
	kvline_addi(l, "attempts", res->attempts);
}

/* A failure in a few words, for the report and the state file. */
static void
syncpass_describe(const struct ses_result *res, char *buf, size_t len)
{
	char *msg;

	switch (res->kind) {
	case SES_ESERVICE:
		msg = syncpass_message(res);
		snprintf(buf, len, "%s: %s",
		    res->code != NULL ? res->code : "Unknown",
		    msg != NULL ? msg : strerror(ENOMEM));
		free(msg);
		break;
	case SES_EPARSE:
		snprintf(buf, len, "an answer that is not SES's XML (HTTP %ld)",
		    res->http_status);
		break;
	default:
		/* a credential source's error may quote a server, too */
		msg = res->message != NULL ? syncpass_message(res) : NULL;
		snprintf(buf, len, "%s",
		    msg != NULL                ? msg
			: res->message != NULL ? strerror(ENOMEM)
					       : "failed");
		free(msg);
		break;
	}
}

/*
 * An error that concerns the one identity (SES refused its values): the
 * pass goes on with the others. Anything else (throttling left after the
 * client's retries, 5xx, the network, credentials) would fail every
 * further call the same way, so it ends the pass.
 */
static bool
syncpass_identity_error(const struct ses_result *res)
{
	return res->kind == SES_ESERVICE && res->code != NULL &&
	    (strcmp(res->code, "InvalidParameterValue") == 0 ||
		strcmp(res->code, "ValidationError") == 0);
}

static int
syncpass_copy_attrs(
    struct sesxml_mail_from *dst, const struct sesxml_mail_from *src)
{
	if (state_set(&dst->mail_from_domain, src->mail_from_domain) == -1 ||
	    state_set(&dst->status, src->status) == -1 ||
	    state_set(&dst->behavior, src->behavior) == -1)
		return -1;
	return 0;
}

void
syncpass_report_free(struct syncpass_report *rep)
{
	size_t i;

	if (rep == NULL)
		return;
	for (i = 0; i < rep->nrows; i++) {
		sesxml_mail_from_clear(&rep->rows[i].ses);
		free(rep->rows[i].error);
	}
	free(rep->rows);
	memset(rep, 0, sizeof(*rep));
}

/* One of SES's Get*Attributes calls, as the client offers them. */
typedef int (*syncpass_getter)(
    struct ses_client *, const char *const *, size_t, struct ses_result *);

/*
 * Reads SES's attributes of every configured identity with GET (ACTION),
 * batch by batch, one document each into DOCS.
 */
static int
syncpass_read(const struct syncpass *p, struct syncpass_report *rep,
    const char *action, enum metrics_ses_action counted, syncpass_getter get,
    struct sesxml_doc **docs)
{
	const struct conf *c = p->conf;
	struct ses_result res;
	struct kvline l;
	const char **names;
	size_t i, b, cnt;
	int rc;

	if ((names = calloc(c->nidentities, sizeof(*names))) == NULL) {
		snprintf(
		    rep->error, sizeof(rep->error), "%s", strerror(ENOMEM));
		return -1;
	}
	for (i = 0; i < c->nidentities; i++)
		names[i] = c->identities[i].name;
	for (b = 0; b * GET_BATCH < c->nidentities; b++) {
		if (syncpass_cancelled(p)) {
			snprintf(rep->error, sizeof(rep->error), "stopped");
			free(names);
			return -1;
		}
		cnt = c->nidentities - b * GET_BATCH;
		if (cnt > GET_BATCH)
			cnt = GET_BATCH;
		rc = get(p->client, names + b * GET_BATCH, cnt, &res);
		rep->get_requests += res.attempts;
		kvline_init(&l, "SES:");
		kvline_add(&l, "action", action);
		kvline_addi(&l, "identities", (long)cnt);
		kvline_add(&l, "first", names[b * GET_BATCH]);
		if (rc == 0)
			kvline_addi(&l, "found", (long)res.doc->nentries);
		syncpass_audit_result(&l, &res, rc);
		/* Without credentials no request left: the pass line says it. */
		if (rc != 0 && res.kind == SES_ECREDS)
			rep->no_credentials = true;
		else {
			metrics_ses_request(counted, rc == 0);
			log_info("%s", kvline_str(&l));
		}
		if (rc != 0) {
			syncpass_describe(&res, rep->error, sizeof(rep->error));
			ses_result_free(&res);
			free(names);
			return -1;
		}
		docs[b] = res.doc;
		res.doc = NULL;
		ses_result_free(&res);
	}
	free(names);
	return 0;
}

/* Audits a status SES reports that the state did not know yet. */
static void
syncpass_status_change(
    const struct syncpass_row *row, const struct state_identity *prev)
{
	const char *prev_status = NULL;
	struct kvline l;

	if (row->ses.mail_from_domain == NULL ||
	    row->ses.mail_from_domain[0] == '\0' || row->ses.status == NULL)
		return;
	if (prev != NULL && prev->known && prev->ses.mail_from_domain != NULL &&
	    strcasecmp(prev->ses.mail_from_domain, row->ses.mail_from_domain) ==
		0) {
		prev_status = prev->ses.status;
		if (prev_status != NULL &&
		    strcmp(prev_status, row->ses.status) == 0)
			return;
	}
	kvline_init(&l, "SES:");
	kvline_add(&l, "identity", row->want->name);
	kvline_add(&l, "mail_from_domain", row->ses.mail_from_domain);
	kvline_add(&l, "status", row->ses.status);
	kvline_add(&l, "previous_status", prev_status);
	log_info("%s", kvline_str(&l));
}

/* SES sends nothing from an identity it has not verified. */
static void
syncpass_unverified(const struct syncpass_row *row)
{
	struct kvline l;

	kvline_init(&l, "SES:");
	kvline_add(&l, "identity", row->want->name);
	kvline_add(&l, "verification", row->ses.verification_status);
	kvline_add(&l, "next", syncplan_next_name(row->next));
	kvline_add(&l, "message",
	    row->next == SYNCPLAN_NEXT_VERIFY_WAIT
		? "SES has not verified this identity and refuses to send "
		  "from it until it has; SES is still checking"
		: "SES has not verified this identity and refuses to send "
		  "from it until it has; (re)start its verification in SES");
	log_warnx("%s", kvline_str(&l));
}

static void
syncpass_unknown(const struct syncpass_row *row)
{
	struct kvline l;

	kvline_init(&l, "SES:");
	kvline_add(&l, "identity", row->want->name);
	kvline_add(&l, "result", "unknown-identity");
	kvline_add(&l, "message",
	    "SES does not know this identity (it is not verified in this "
	    "account and region); its MAIL FROM setting is not synchronised");
	log_warnx("%s", kvline_str(&l));
}

/*
 * The Set (or its dry run) of one row, REVERIFY for a re-verification;
 * -1 when the pass must end.
 */
static int
syncpass_set(const struct syncpass *p, struct syncpass_row *row,
    struct syncpass_report *rep, bool reverify)
{
	const struct conf_identity *want = row->want;
	const char *behavior = conf_behavior_name(want->behavior);
	struct ses_result res;
	struct kvline l;
	char why[300];
	int rc;

	kvline_init(&l, "SES:");
	kvline_add(&l, "action", set_action);
	kvline_add(&l, "identity", want->name);
	kvline_add(&l, "mail_from_domain",
	    want->mail_from_domain != NULL ? want->mail_from_domain : "");
	kvline_add(&l, "behavior", behavior);
	kvline_add(&l, "previous_mail_from_domain",
	    row->ses.mail_from_domain != NULL ? row->ses.mail_from_domain : "");
	kvline_add(&l, "previous_behavior", row->ses.behavior);
	if (reverify) {
		kvline_add(&l, "previous_status", row->ses.status);
		kvline_add(&l, "reason", "reverify");
	}
	if (p->mode == SYNCPASS_DRY_RUN) {
		kvline_add(&l, "result", "dry-run");
		log_info("%s", kvline_str(&l));
	}
	if (p->mode != SYNCPASS_APPLY) {
		row->outcome =
		    reverify ? SYNCPASS_WOULD_REVERIFY : SYNCPASS_WOULD_CHANGE;
		return 0;
	}
	rc = ses_set_mail_from(
	    p->client, want->name, want->mail_from_domain, behavior, &res);
	row->attempts = res.attempts;
	rep->set_requests += res.attempts;
	metrics_ses_request(METRICS_SES_SET, rc == 0);
	syncpass_audit_result(&l, &res, rc);
	log_info("%s", kvline_str(&l));
	if (rc == 0) {
		row->outcome =
		    reverify ? SYNCPASS_REVERIFIED : SYNCPASS_CHANGED;
		ses_result_free(&res);
		return 0;
	}
	syncpass_describe(&res, why, sizeof(why));
	row->outcome = SYNCPASS_FAILED;
	row->error = strdup(why);
	if (syncpass_identity_error(&res)) {
		if (rep->error[0] == '\0')
			snprintf(rep->error, sizeof(rep->error),
			    "%s for %.200s", why, want->name);
		ses_result_free(&res);
		return 0;
	}
	snprintf(rep->error, sizeof(rep->error), "%s", why);
	ses_result_free(&res);
	return -1;
}

/* SES's status against the local MX check of the same domain. */
static void
syncpass_drift(const struct syncpass_row *row)
{
	const char *st = row->ses.status;
	bool ses_ok, local_ok;
	struct kvline l;

	if (!row->known || !row->mx_checked || st == NULL ||
	    row->ses.mail_from_domain == NULL ||
	    strcasecmp(
		row->ses.mail_from_domain, row->want->mail_from_domain) != 0)
		return;
	ses_ok = strcmp(st, SES_STATUS_SUCCESS) == 0;
	local_ok = row->mx == MX_OK;
	/* Pending: SES has not looked yet, nothing to disagree with */
	if (ses_ok == local_ok ||
	    (!ses_ok && strcmp(st, "Failed") != 0 &&
		strcmp(st, "TemporaryFailure") != 0))
		return;
	kvline_init(&l, "SES: drift");
	kvline_add(&l, "identity", row->want->name);
	kvline_add(&l, "mail_from_domain", row->want->mail_from_domain);
	kvline_add(&l, "ses_status", st);
	kvline_add(&l, "mx", mx_result_name(row->mx));
	kvline_add(&l, "message", "SES and the local MX check disagree");
	log_warnx("%s", kvline_str(&l));
}

/* The state's record of ROW after the pass, from PREV and what was seen. */
static int
syncpass_state_row(struct state *next, const struct syncpass_row *row,
    const struct state_identity *prev, bool read, time_t now)
{
	static const struct sesxml_mail_from none;
	struct state_identity *id;
	const struct conf_identity *want = row->want;
	const char *error;

	if ((id = state_add(next, want->name)) == NULL)
		return -1;
	if (prev != NULL) {
		id->known = prev->known;
		id->checked = prev->checked;
		id->reverified = prev->reverified;
		if (syncpass_copy_attrs(&id->ses, &prev->ses) == -1 ||
		    state_set(&id->last_error, prev->last_error) == -1)
			return -1;
	}
	if (!read)
		return 0;
	id->known = row->known;
	id->checked = now;
	if (row->outcome == SYNCPASS_REVERIFIED)
		id->reverified = now;
	if (row->outcome == SYNCPASS_CHANGED ||
	    row->outcome == SYNCPASS_REVERIFIED) {
		/* a Set restarts SES's check of the domain: Pending */
		if (state_set(&id->ses.mail_from_domain,
			want->mail_from_domain) == -1 ||
		    state_set(&id->ses.behavior,
			conf_behavior_name(want->behavior)) == -1 ||
		    state_set(&id->ses.status,
			want->mail_from_domain != NULL ? "Pending" : NULL) ==
			-1)
			return -1;
	} else if (syncpass_copy_attrs(
		       &id->ses, row->known ? &row->ses : &none) == -1)
		return -1;
	switch (row->outcome) {
	case SYNCPASS_NOT_DONE:
		return 0;
	case SYNCPASS_FAILED:
		error = row->error;
		break;
	case SYNCPASS_UNKNOWN:
		error = "unknown to SES";
		break;
	default:
		error = NULL;
		break;
	}
	return state_set(&id->last_error, error);
}

/* Replaces the state's records with one per configured identity. */
static void
syncpass_state_update(
    const struct syncpass *p, const struct syncpass_report *rep, int rc)
{
	struct state *st = p->state, *next;
	time_t now = time(NULL);
	size_t i;

	st->last_attempt = now;
	if (rc == 0)
		st->last_success = now;
	if (state_set(&st->last_error, rc == 0 ? NULL : rep->error) == -1)
		log_warnx("SES: out of memory for the state");
	if ((next = state_new()) == NULL)
		goto nomem;
	for (i = 0; i < rep->nrows; i++)
		if (syncpass_state_row(next, &rep->rows[i],
			state_find(st, rep->rows[i].want->name), rep->read,
			now) == -1)
			goto nomem;
	state_sort(next);
	/* swap the records, keep the rest of ST */
	for (i = 0; i < st->nids; i++) {
		sesxml_mail_from_clear(&st->ids[i].ses);
		free(st->ids[i].last_error);
	}
	free(st->ids);
	st->ids = next->ids;
	st->nids = next->nids;
	st->cap = next->cap;
	next->ids = NULL;
	next->nids = next->cap = 0;
	state_free(next);
	return;

nomem:
	state_free(next);
	log_warnx("SES: out of memory for the state");
}

static void
syncpass_summary(
    const struct syncpass *p, const struct syncpass_report *rep, int rc)
{
	size_t i, n[SYNCPASS_NOT_DONE + 1] = { 0 };
	size_t nnext[SYNCPLAN_NEXT_LAST + 1] = { 0 }, unverified = 0;
	struct kvline l;

	for (i = 0; i < rep->nrows; i++) {
		n[rep->rows[i].outcome]++;
		if (rep->rows[i].outcome == SYNCPASS_IN_STEP)
			nnext[rep->rows[i].next]++;
		if (syncpass_row_unverified(&rep->rows[i]))
			unverified++;
	}
	kvline_init(&l, "SES: pass");
	kvline_add(&l, "mode",
	    p->mode == SYNCPASS_APPLY         ? "apply"
		: p->mode == SYNCPASS_DRY_RUN ? "dry-run"
					      : "read-only");
	kvline_addi(&l, "identities", (long)rep->nrows);
	/* in step: the settings match and SES uses them */
	kvline_addi(&l, "in_step", (long)nnext[SYNCPLAN_NEXT_NONE]);
	kvline_addi(&l, "changed", (long)n[SYNCPASS_CHANGED]);
	kvline_addi(&l, "would_change", (long)n[SYNCPASS_WOULD_CHANGE]);
	kvline_addi(&l, "reverified", (long)n[SYNCPASS_REVERIFIED]);
	kvline_addi(&l, "would_reverify", (long)n[SYNCPASS_WOULD_REVERIFY]);
	kvline_addi(&l, "waiting", (long)nnext[SYNCPLAN_NEXT_WAIT]);
	kvline_addi(&l, "fix_dns", (long)nnext[SYNCPLAN_NEXT_FIX_DNS]);
	kvline_addi(&l, "failed", (long)n[SYNCPASS_FAILED]);
	kvline_addi(&l, "unknown", (long)n[SYNCPASS_UNKNOWN]);
	kvline_addi(&l, "unverified", (long)unverified);
	kvline_addi(&l, "not_done", (long)n[SYNCPASS_NOT_DONE]);
	kvline_addi(&l, "requests", rep->get_requests + rep->set_requests);
	kvline_add(&l, "result", rc == 0 ? "ok" : "error");
	if (rc != 0 && rep->no_credentials) {
		kvline_add(&l, "error", "credentials");
		kvline_add(&l, "message",
		    "no AWS credentials found. Give them to the daemon: "
		    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in its "
		    "environment, a profile ([ses] profile) in "
		    "AWS_SHARED_CREDENTIALS_FILE readable by its user, or an "
		    "EC2 instance role; see ses-mailfrom-milter(8)");
		log_warnx("%s", kvline_str(&l));
	} else if (rc != 0) {
		kvline_add(&l, "error", rep->error);
		log_warnx("%s", kvline_str(&l));
	} else
		log_info("%s", kvline_str(&l));
}

/* The local MX checks of the configured MAIL FROM domains (with hooks). */
static void
syncpass_check_mx(const struct syncpass *p, struct syncpass_report *rep,
    const struct syncplan_item *plan)
{
	struct syncpass_row *row;
	size_t i;

	for (i = 0;
	     i < rep->nrows && p->hooks != NULL && p->hooks->mx_check != NULL;
	     i++) {
		row = &rep->rows[i];
		if (row->want->mail_from_domain == NULL)
			continue;
		if (p->hooks->failed_only &&
		    (plan[i].verdict != SYNCPLAN_IN_STEP ||
			plan[i].have->status == NULL ||
			strcmp(plan[i].have->status, "Failed") != 0))
			continue;
		if (syncpass_cancelled(p))
			break;
		row->mx = p->hooks->mx_check(
		    p->hooks->arg, row->want->mail_from_domain);
		row->mx_checked = true;
	}
}

static enum syncplan_mx
syncpass_mx_class(const struct syncpass_row *row)
{
	if (!row->mx_checked)
		return SYNCPLAN_MX_UNCHECKED;
	if (row->mx == MX_OK)
		return SYNCPLAN_MX_OK;
	return mx_result_transient(row->mx) ? SYNCPLAN_MX_TEMPFAIL
					    : SYNCPLAN_MX_FAILED;
}

/* A re-verification sent within the last sync_interval (state.h). */
static bool
syncpass_reverified_recently(
    const struct syncpass *p, const struct syncpass_row *row, time_t now)
{
	const struct state_identity *prev;

	if (p->state == NULL ||
	    (prev = state_find(p->state, row->want->name)) == NULL ||
	    prev->reverified == 0)
		return false;
	return now >= prev->reverified &&
	    now - prev->reverified < (time_t)p->conf->sync_interval;
}

/* SES has the domain Failed and the local check does not pass. */
static void
syncpass_fix_dns(const struct syncpass *p, const struct syncpass_row *row)
{
	char host[300], record[600];
	struct kvline l;

	conf_expected_mx_host(p->conf, host, sizeof(host));
	snprintf(record, sizeof(record), "%s. MX 10 %s.",
	    row->want->mail_from_domain, host);
	kvline_init(&l, "SES:");
	kvline_add(&l, "identity", row->want->name);
	kvline_add(&l, "mail_from_domain", row->want->mail_from_domain);
	kvline_add(&l, "ses_status", row->ses.status);
	kvline_add(&l, "mx", row->mx_checked ? mx_result_name(row->mx) : NULL);
	kvline_add(&l, "next", syncplan_next_name(row->next));
	kvline_add(&l, "record", record);
	kvline_add(&l, "message",
	    "SES stopped checking this MAIL FROM domain; publish the record "
	    "and it is set again at the next pass");
	log_warnx("%s", kvline_str(&l));
}

/* Plans and applies; fills the rows. -1 when the pass ends early. */
static int
syncpass_apply(const struct syncpass *p, struct syncpass_report *rep,
    const struct sesxml_mail_from *have, size_t nhave,
    const struct sesxml_mail_from *verified, size_t nverified)
{
	const struct conf *c = p->conf;
	struct syncplan_item *plan;
	struct syncpass_row *row;
	time_t now = time(NULL);
	size_t i;
	int rc = 0;

	if ((plan = calloc(c->nidentities, sizeof(*plan))) == NULL ||
	    syncplan_make(c->identities, c->nidentities, have, nhave, verified,
		nverified, plan) == -1) {
		free(plan);
		snprintf(
		    rep->error, sizeof(rep->error), "%s", strerror(ENOMEM));
		return -1;
	}
	/* what a re-verification needs to know comes before any Set */
	syncpass_check_mx(p, rep, plan);
	/* every row first, so that a pass ending early still reports all */
	for (i = 0; i < rep->nrows; i++) {
		row = &rep->rows[i];
		row->diff = plan[i].diff;
		if (((row->known = plan[i].have != NULL) &&
			syncpass_copy_attrs(&row->ses, plan[i].have) == -1) ||
		    state_set(&row->ses.verification_status,
			plan[i].verification) == -1) {
			free(plan);
			snprintf(rep->error, sizeof(rep->error), "%s",
			    strerror(ENOMEM));
			return -1;
		}
		if (p->state != NULL && row->known)
			syncpass_status_change(
			    row, state_find(p->state, row->want->name));
		row->next = syncplan_next(plan[i].verdict, row->want,
		    plan[i].have, plan[i].verification, syncpass_mx_class(row),
		    syncpass_reverified_recently(p, row, now));
		if (plan[i].verdict == SYNCPLAN_IN_STEP)
			row->outcome = SYNCPASS_IN_STEP;
		else if (plan[i].verdict == SYNCPLAN_UNKNOWN) {
			row->outcome = SYNCPASS_UNKNOWN;
			if (p->mode != SYNCPASS_READ_ONLY)
				syncpass_unknown(row);
		}
		if (row->mx_checked)
			syncpass_drift(row);
		if (row->next == SYNCPLAN_NEXT_FIX_DNS &&
		    p->mode != SYNCPASS_READ_ONLY)
			syncpass_fix_dns(p, row);
		if (syncpass_row_unverified(row) &&
		    p->mode != SYNCPASS_READ_ONLY)
			syncpass_unverified(row);
	}
	free(plan);
	for (i = 0; rc == 0 && i < rep->nrows; i++) {
		row = &rep->rows[i];
		if (row->outcome != SYNCPASS_NOT_DONE &&
		    (row->next != SYNCPLAN_NEXT_REVERIFY ||
			p->mode == SYNCPASS_READ_ONLY))
			continue;
		if (p->mode == SYNCPASS_APPLY && syncpass_cancelled(p)) {
			snprintf(rep->error, sizeof(rep->error), "stopped");
			return -1;
		}
		rc = syncpass_set(
		    p, row, rep, row->next == SYNCPLAN_NEXT_REVERIFY);
	}
	if (rc == 0) {
		for (i = 0; i < rep->nrows; i++)
			if (rep->rows[i].outcome == SYNCPASS_FAILED)
				rc = -1;
	}
	return rc;
}

bool
syncpass_row_unverified(const struct syncpass_row *row)
{
	return row->next == SYNCPLAN_NEXT_VERIFY ||
	    row->next == SYNCPLAN_NEXT_VERIFY_WAIT;
}

/*
 * The entries of DOCS[0..NDOCS) in one array (shallow copies: the strings
 * stay the documents'); *OUT NULL when there are none. -1: out of memory.
 */
static int
syncpass_entries(struct sesxml_doc *const *docs, size_t ndocs,
    struct sesxml_mail_from **out, size_t *n)
{
	size_t i, j;

	*out = NULL;
	*n = 0;
	for (i = 0; i < ndocs && docs[i] != NULL; i++)
		*n += docs[i]->nentries;
	if (*n > 0 && (*out = calloc(*n, sizeof(**out))) == NULL)
		return -1;
	for (i = 0, *n = 0; i < ndocs && docs[i] != NULL; i++)
		for (j = 0; j < docs[i]->nentries; j++)
			(*out)[(*n)++] = docs[i]->entries[j];
	return 0;
}

static void
syncpass_free_docs(struct sesxml_doc **docs, size_t ndocs)
{
	size_t i;

	for (i = 0; docs != NULL && i < ndocs; i++)
		sesxml_doc_free(docs[i]);
	free(docs);
}

int
syncpass_run(const struct syncpass *p, struct syncpass_report *rep)
{
	const struct conf *c = p->conf;
	struct sesxml_doc **docs = NULL, **vdocs = NULL;
	struct sesxml_mail_from *have = NULL, *verified = NULL;
	size_t i, ndocs, nhave = 0, nverified = 0;
	char why[sizeof(rep->error)];
	int rc = -1;

	memset(rep, 0, sizeof(*rep));
	ndocs = (c->nidentities + GET_BATCH - 1) / GET_BATCH;
	if (c->nidentities > 0 &&
	    ((rep->rows = calloc(c->nidentities, sizeof(*rep->rows))) == NULL ||
		(docs = calloc(ndocs, sizeof(*docs))) == NULL ||
		(vdocs = calloc(ndocs, sizeof(*vdocs))) == NULL)) {
		snprintf(
		    rep->error, sizeof(rep->error), "%s", strerror(ENOMEM));
		goto done;
	}
	rep->nrows = c->nidentities;
	for (i = 0; i < rep->nrows; i++) {
		rep->rows[i].want = &c->identities[i];
		rep->rows[i].outcome = SYNCPASS_NOT_DONE;
	}
	if (c->nidentities == 0) {
		rep->read = rep->verification_read = true;
		rc = 0;
		goto done;
	}
	if (syncpass_read(p, rep, get_action, METRICS_SES_GET,
		ses_get_mail_from, docs) == -1)
		goto done;
	rep->read = true;
	/*
	 * The identities' own verification only adds to the report: a
	 * failure to read it (a policy without
	 * ses:GetIdentityVerificationAttributes, say) does not hold back the
	 * MAIL FROM settings, but fails the pass.
	 */
	if (syncpass_read(p, rep, verification_action, METRICS_SES_VERIFY,
		ses_get_verification, vdocs) == 0)
		rep->verification_read = true;
	else if (syncpass_cancelled(p))
		goto done;
	else {
		snprintf(why, sizeof(why), "%s", rep->error);
		snprintf(rep->error, sizeof(rep->error),
		    "identity verification not read: %.400s", why);
	}
	if (syncpass_entries(docs, ndocs, &have, &nhave) == -1 ||
	    syncpass_entries(vdocs, ndocs, &verified, &nverified) == -1) {
		snprintf(
		    rep->error, sizeof(rep->error), "%s", strerror(ENOMEM));
		goto done;
	}
	rc = syncpass_apply(p, rep, have, nhave, verified, nverified);
	if (!rep->verification_read)
		rc = -1;

done:
	free(have);
	free(verified);
	syncpass_free_docs(docs, ndocs);
	syncpass_free_docs(vdocs, ndocs);
	if (p->state != NULL)
		syncpass_state_update(p, rep, rc);
	syncpass_summary(p, rep, rc);
	return rc;
}
