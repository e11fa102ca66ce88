/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The synchroniser: passes (read SES, plan, set what differs, compare
 * statuses) and the daemon's thread that runs them on a schedule.
 */
#include "milter/sync/syncer.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "milter/kvline.h"
#include "milter/log.h"
#include "milter/sync/syncplan.h"
#include "ses/awsenv.h"
#include "ses/clock.h"
#include "ses/retry.h"

#define GET_BATCH 100 /* SES's limit of identities per Get */
#define CONNECT_TIMEOUT_MS 5000
#define REQUEST_TIMEOUT_MS 15000
#define SES_STATUS_SUCCESS "Success"

static const char *const get_action = "GetIdentityMailFromDomainAttributes";
static const char *const set_action = "SetIdentityMailFromDomain";

/* ---- the client ---- */

int
syncer_link_open(const struct conf *c, const struct syncer_client_opts *o,
    struct syncer_link *l, char *err, size_t errlen)
{
	static const struct syncer_client_opts none;
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
	if ((l->creds = creds_provider_new(
		 &(struct creds_options){ profile[0] != '\0' ? profile : NULL,
		     o->debug, o->debug_arg })) == NULL) {
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
syncer_link_close(struct syncer_link *l)
{
	ses_client_free(l->client);
	creds_provider_free(l->creds);
	memset(l, 0, sizeof(*l));
}

/* ---- one pass ---- */

const char *
syncer_outcome_name(enum syncer_outcome o)
{
	switch (o) {
	case SYNCER_IN_STEP:
		return "in-step";
	case SYNCER_CHANGED:
		return "ok";
	case SYNCER_FAILED:
		return "error";
	case SYNCER_WOULD_CHANGE:
		return "dry-run";
	case SYNCER_UNKNOWN:
		return "unknown-identity";
	case SYNCER_NOT_DONE:
		return "not-done";
	}
	return "?";
}

static bool
syncer_cancelled(const struct syncer_pass *p)
{
	return p->cancelled != NULL && p->cancelled(p->cancel_arg);
}

/* The result part of an audit line: result=ok|error, why, attempts. */
static void
syncer_audit_result(struct kvline *l, const struct ses_result *res, int rc)
{
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
		if (res->kind != SES_EPARSE)
			kvline_add(l, "message", res->message);
	}
	kvline_addi(l, "attempts", res->attempts);
}

/* A failure in a few words, for the report and the state file. */
static void
syncer_describe(const struct ses_result *res, char *buf, size_t len)
{
	switch (res->kind) {
	case SES_ESERVICE:
		snprintf(buf, len, "%s: %s",
		    res->code != NULL ? res->code : "Unknown",
		    res->message != NULL ? res->message : "");
		break;
	case SES_EPARSE:
		snprintf(buf, len, "an answer that is not SES's XML (HTTP %ld)",
		    res->http_status);
		break;
	default:
		snprintf(buf, len, "%s",
		    res->message != NULL ? res->message : "failed");
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
syncer_identity_error(const struct ses_result *res)
{
	return res->kind == SES_ESERVICE && res->code != NULL &&
	    (strcmp(res->code, "InvalidParameterValue") == 0 ||
		strcmp(res->code, "ValidationError") == 0);
}

static int
syncer_copy_attrs(
    struct sesxml_mail_from *dst, const struct sesxml_mail_from *src)
{
	if (state_set(&dst->mail_from_domain, src->mail_from_domain) == -1 ||
	    state_set(&dst->status, src->status) == -1 ||
	    state_set(&dst->behavior, src->behavior) == -1)
		return -1;
	return 0;
}

static void
syncer_clear_attrs(struct sesxml_mail_from *a)
{
	free(a->identity);
	free(a->mail_from_domain);
	free(a->status);
	free(a->behavior);
	memset(a, 0, sizeof(*a));
}

void
syncer_report_free(struct syncer_report *rep)
{
	size_t i;

	if (rep == NULL)
		return;
	for (i = 0; i < rep->nrows; i++) {
		syncer_clear_attrs(&rep->rows[i].ses);
		free(rep->rows[i].error);
	}
	free(rep->rows);
	memset(rep, 0, sizeof(*rep));
}

/* Reads SES's attributes of every configured identity, batch by batch. */
static int
syncer_read(const struct syncer_pass *p, struct syncer_report *rep,
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
		if (syncer_cancelled(p)) {
			snprintf(rep->error, sizeof(rep->error), "stopped");
			free(names);
			return -1;
		}
		cnt = c->nidentities - b * GET_BATCH;
		if (cnt > GET_BATCH)
			cnt = GET_BATCH;
		rc = ses_get_mail_from(
		    p->client, names + b * GET_BATCH, cnt, &res);
		rep->get_requests += res.attempts;
		kvline_init(&l, "SES:");
		kvline_add(&l, "action", get_action);
		kvline_addi(&l, "identities", (long)cnt);
		kvline_add(&l, "first", names[b * GET_BATCH]);
		if (rc == 0)
			kvline_addi(&l, "found", (long)res.doc->nentries);
		syncer_audit_result(&l, &res, rc);
		log_info("%s", kvline_str(&l));
		if (rc != 0) {
			syncer_describe(&res, rep->error, sizeof(rep->error));
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
syncer_status_change(
    const struct syncer_row *row, const struct state_identity *prev)
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

static void
syncer_unknown(const struct syncer_row *row)
{
	struct kvline l;

	kvline_init(&l, "SES:");
	kvline_add(&l, "identity", row->want->name);
	kvline_add(&l, "result", "unknown-identity");
	log_warnx("%s: SES does not know this identity (it is not verified "
		  "in this account and region); its MAIL FROM setting is not "
		  "synchronised",
	    kvline_str(&l));
}

/* The Set (or its dry run) of one row; -1 when the pass must end. */
static int
syncer_set(const struct syncer_pass *p, struct syncer_row *row,
    struct syncer_report *rep)
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
	if (p->mode == SYNCER_DRY_RUN) {
		kvline_add(&l, "result", "dry-run");
		log_info("%s", kvline_str(&l));
	}
	if (p->mode != SYNCER_APPLY) {
		row->outcome = SYNCER_WOULD_CHANGE;
		return 0;
	}
	rc = ses_set_mail_from(
	    p->client, want->name, want->mail_from_domain, behavior, &res);
	row->attempts = res.attempts;
	rep->set_requests += res.attempts;
	syncer_audit_result(&l, &res, rc);
	log_info("%s", kvline_str(&l));
	if (rc == 0) {
		row->outcome = SYNCER_CHANGED;
		ses_result_free(&res);
		return 0;
	}
	syncer_describe(&res, why, sizeof(why));
	row->outcome = SYNCER_FAILED;
	row->error = strdup(why);
	if (syncer_identity_error(&res)) {
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
syncer_drift(const struct syncer_row *row)
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
	log_warnx("%s: SES and the local MX check disagree", kvline_str(&l));
}

/* The state's record of ROW after the pass, from PREV and what was seen. */
static int
syncer_state_row(struct state *next, const struct syncer_row *row,
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
		if (syncer_copy_attrs(&id->ses, &prev->ses) == -1 ||
		    state_set(&id->last_error, prev->last_error) == -1)
			return -1;
	}
	if (!read)
		return 0;
	id->known = row->known;
	id->checked = now;
	if (row->outcome == SYNCER_CHANGED) {
		/* SES checks a new domain again: no status until it is read */
		if (state_set(&id->ses.mail_from_domain,
			want->mail_from_domain) == -1 ||
		    state_set(&id->ses.behavior,
			conf_behavior_name(want->behavior)) == -1 ||
		    state_set(&id->ses.status, NULL) == -1)
			return -1;
	} else if (syncer_copy_attrs(
		       &id->ses, row->known ? &row->ses : &none) == -1)
		return -1;
	switch (row->outcome) {
	case SYNCER_NOT_DONE:
		return 0;
	case SYNCER_FAILED:
		error = row->error;
		break;
	case SYNCER_UNKNOWN:
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
syncer_state_update(
    const struct syncer_pass *p, const struct syncer_report *rep, int rc)
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
		if (syncer_state_row(next, &rep->rows[i],
			state_find(st, rep->rows[i].want->name), rep->read,
			now) == -1)
			goto nomem;
	state_sort(next);
	/* swap the records, keep the rest of ST */
	for (i = 0; i < st->nids; i++) {
		syncer_clear_attrs(&st->ids[i].ses);
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
syncer_summary(
    const struct syncer_pass *p, const struct syncer_report *rep, int rc)
{
	size_t i, n[SYNCER_NOT_DONE + 1] = { 0 };
	struct kvline l;

	for (i = 0; i < rep->nrows; i++)
		n[rep->rows[i].outcome]++;
	kvline_init(&l, "SES: pass");
	kvline_add(&l, "mode",
	    p->mode == SYNCER_APPLY         ? "apply"
		: p->mode == SYNCER_DRY_RUN ? "dry-run"
					    : "read-only");
	kvline_addi(&l, "identities", (long)rep->nrows);
	kvline_addi(&l, "in_step", (long)n[SYNCER_IN_STEP]);
	kvline_addi(&l, "changed", (long)n[SYNCER_CHANGED]);
	kvline_addi(&l, "would_change", (long)n[SYNCER_WOULD_CHANGE]);
	kvline_addi(&l, "failed", (long)n[SYNCER_FAILED]);
	kvline_addi(&l, "unknown", (long)n[SYNCER_UNKNOWN]);
	kvline_addi(&l, "not_done", (long)n[SYNCER_NOT_DONE]);
	kvline_addi(&l, "requests", rep->get_requests + rep->set_requests);
	kvline_add(&l, "result", rc == 0 ? "ok" : "error");
	if (rc != 0) {
		kvline_add(&l, "error", rep->error);
		log_warnx("%s", kvline_str(&l));
	} else
		log_info("%s", kvline_str(&l));
}

/* Plans and applies; fills the rows. -1 when the pass ends early. */
static int
syncer_apply(const struct syncer_pass *p, struct syncer_report *rep,
    const struct sesxml_mail_from *have, size_t nhave)
{
	const struct conf *c = p->conf;
	struct syncplan_item *plan;
	struct syncer_row *row;
	size_t i;
	int rc = 0;

	if ((plan = calloc(c->nidentities, sizeof(*plan))) == NULL ||
	    syncplan_make(c->identities, c->nidentities, have, nhave, plan) ==
		-1) {
		free(plan);
		snprintf(
		    rep->error, sizeof(rep->error), "%s", strerror(ENOMEM));
		return -1;
	}
	/* every row first, so that a pass ending early still reports all */
	for (i = 0; i < rep->nrows; i++) {
		row = &rep->rows[i];
		row->diff = plan[i].diff;
		if ((row->known = plan[i].have != NULL) &&
		    syncer_copy_attrs(&row->ses, plan[i].have) == -1) {
			free(plan);
			snprintf(rep->error, sizeof(rep->error), "%s",
			    strerror(ENOMEM));
			return -1;
		}
		if (p->state != NULL && row->known)
			syncer_status_change(
			    row, state_find(p->state, row->want->name));
		if (plan[i].verdict == SYNCPLAN_IN_STEP)
			row->outcome = SYNCER_IN_STEP;
		else if (plan[i].verdict == SYNCPLAN_UNKNOWN) {
			row->outcome = SYNCER_UNKNOWN;
			if (p->mode != SYNCER_READ_ONLY)
				syncer_unknown(row);
		}
	}
	free(plan);
	for (i = 0; rc == 0 && i < rep->nrows; i++) {
		row = &rep->rows[i];
		if (row->outcome != SYNCER_NOT_DONE)
			continue;
		if (p->mode == SYNCER_APPLY && syncer_cancelled(p)) {
			snprintf(rep->error, sizeof(rep->error), "stopped");
			return -1;
		}
		rc = syncer_set(p, row, rep);
	}
	for (i = 0;
	     i < rep->nrows && p->hooks != NULL && p->hooks->mx_check != NULL;
	     i++) {
		row = &rep->rows[i];
		if (row->want->mail_from_domain == NULL)
			continue;
		if (syncer_cancelled(p))
			break;
		row->mx = p->hooks->mx_check(
		    p->hooks->arg, row->want->mail_from_domain);
		row->mx_checked = true;
		syncer_drift(row);
	}
	if (rc == 0) {
		for (i = 0; i < rep->nrows; i++)
			if (rep->rows[i].outcome == SYNCER_FAILED)
				rc = -1;
	}
	return rc;
}

int
syncer_run_pass(const struct syncer_pass *p, struct syncer_report *rep)
{
	const struct conf *c = p->conf;
	struct sesxml_doc **docs = NULL;
	struct sesxml_mail_from *have = NULL;
	size_t i, j, ndocs, nhave = 0;
	int rc = -1;

	memset(rep, 0, sizeof(*rep));
	ndocs = (c->nidentities + GET_BATCH - 1) / GET_BATCH;
	if (c->nidentities > 0 &&
	    ((rep->rows = calloc(c->nidentities, sizeof(*rep->rows))) == NULL ||
		(docs = calloc(ndocs, sizeof(*docs))) == NULL)) {
		snprintf(
		    rep->error, sizeof(rep->error), "%s", strerror(ENOMEM));
		goto done;
	}
	rep->nrows = c->nidentities;
	for (i = 0; i < rep->nrows; i++) {
		rep->rows[i].want = &c->identities[i];
		rep->rows[i].outcome = SYNCER_NOT_DONE;
	}
	if (c->nidentities == 0) {
		rep->read = true;
		rc = 0;
		goto done;
	}
	if (syncer_read(p, rep, docs) == -1)
		goto done;
	rep->read = true;
	for (i = 0; i < ndocs; i++)
		nhave += docs[i]->nentries;
	if (nhave > 0 && (have = calloc(nhave, sizeof(*have))) == NULL) {
		snprintf(
		    rep->error, sizeof(rep->error), "%s", strerror(ENOMEM));
		goto done;
	}
	/* shallow copies: the strings stay the documents' */
	for (i = 0, nhave = 0; i < ndocs; i++)
		for (j = 0; j < docs[i]->nentries; j++)
			have[nhave++] = docs[i]->entries[j];
	rc = syncer_apply(p, rep, have, nhave);

done:
	free(have);
	for (i = 0; docs != NULL && i < ndocs; i++)
		sesxml_doc_free(docs[i]);
	free(docs);
	if (p->state != NULL)
		syncer_state_update(p, rep, rc);
	syncer_summary(p, rep, rc);
	return rc;
}

/* ---- the daemon's thread ---- */

struct syncer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;  /* on CLOCK_MONOTONIC */
	struct conf *pending; /* a reload not yet taken; lock */
	atomic_bool stopping;
	struct syncer_hooks hooks;
	/* the thread's own */
	struct conf *conf;
	struct state *state; /* NULL: out of memory, none */
	struct syncer_link link;
};

static bool
syncer_is_stopping(void *arg)
{
	struct syncer *s = arg;

	return atomic_load(&s->stopping);
}

static void
syncer_debug(void *arg, const char *msg)
{
	(void)arg;
	log_debug("SES: %s", msg);
}

/*
 * Whether the configuration asks for something the recorded SES state
 * lacks (an identity added or changed while the daemon was down): then a
 * restart reads SES at once instead of waiting for the interval.
 */
static bool
syncer_state_behind(const struct conf *c, const struct state *st)
{
	const struct state_identity *prev;
	size_t i;

	for (i = 0; i < c->nidentities; i++) {
		if ((prev = state_find(st, c->identities[i].name)) == NULL)
			return true;
		if (prev->known &&
		    syncplan_compare(&c->identities[i], &prev->ses, NULL) !=
			SYNCPLAN_IN_STEP)
			return true;
	}
	return false;
}

/* Seconds until the first pass. */
static time_t
syncer_first_delay(const struct conf *c, const struct state *st)
{
	time_t now = time(NULL), elapsed;

	if (st == NULL || st->last_success == 0 || syncer_state_behind(c, st))
		return 0;
	/* a clock set back: the last pass is recent, but not in the future */
	elapsed = now > st->last_success ? now - st->last_success : 0;
	return elapsed >= (time_t)c->sync_interval
	    ? 0
	    : (time_t)c->sync_interval - elapsed;
}

static int
syncer_pass_once(struct syncer *s)
{
	struct syncer_client_opts o;
	struct syncer_report rep;
	struct syncer_pass p;
	char err[512];
	int rc;

	if (s->link.client == NULL) {
		memset(&o, 0, sizeof(o));
		o.debug = syncer_debug;
		if (syncer_link_open(s->conf, &o, &s->link, err, sizeof(err)) ==
		    -1) {
			log_warnx("SES: cannot make an SES client: %s", err);
			return -1;
		}
	}
	memset(&p, 0, sizeof(p));
	p.client = s->link.client;
	p.conf = s->conf;
	p.mode =
	    s->conf->sync == CONF_SYNC_DRY_RUN ? SYNCER_DRY_RUN : SYNCER_APPLY;
	p.state = s->state;
	p.hooks = &s->hooks;
	p.cancelled = syncer_is_stopping;
	p.cancel_arg = s;
	rc = syncer_run_pass(&p, &rep);
	syncer_report_free(&rep);
	if (s->state != NULL &&
	    state_save(s->conf->state_file, s->state, err, sizeof(err)) == -1)
		log_warnx("SES: cannot save the state: %s", err);
	return rc;
}

static void
syncer_take_reload(struct syncer *s, struct conf *c)
{
	if (strcmp(s->conf->region, c->region) != 0 ||
	    strcmp(s->conf->endpoint, c->endpoint) != 0 ||
	    strcmp(s->conf->profile, c->profile) != 0)
		syncer_link_close(&s->link);
	if (strcmp(s->conf->state_file, c->state_file) != 0) {
		state_free(s->state);
		s->state = state_load(c->state_file);
	}
	conf_unref(s->conf);
	s->conf = c;
	ses_ratelimit_set(c->rate);
}

static void *
syncer_main(void *arg)
{
	struct syncer *s = arg;
	struct conf *reloaded;
	struct timespec ts;
	int64_t next, backoff = 0;
	time_t delay;

	s->state = state_load(s->conf->state_file);
	delay = syncer_first_delay(s->conf, s->state);
	log_info("SES: synchroniser started (%s, %zu identities, every %u s); "
		 "first pass in %lld s",
	    s->conf->sync == CONF_SYNC_DRY_RUN ? "dry-run" : "apply",
	    s->conf->nidentities, s->conf->sync_interval, (long long)delay);
	next = clock_now_ns() + (int64_t)delay * CLOCK_NSEC;
	for (;;) {
		pthread_mutex_lock(&s->lock);
		while (!atomic_load(&s->stopping) && s->pending == NULL &&
		    (next < 0 || clock_now_ns() < next)) {
			if (next < 0) {
				pthread_cond_wait(&s->cond, &s->lock);
				continue;
			}
			ts.tv_sec = next / CLOCK_NSEC;
			ts.tv_nsec = next % CLOCK_NSEC;
			pthread_cond_timedwait(&s->cond, &s->lock, &ts);
		}
		reloaded = s->pending;
		s->pending = NULL;
		pthread_mutex_unlock(&s->lock);
		if (atomic_load(&s->stopping)) {
			conf_unref(reloaded);
			break;
		}
		if (reloaded != NULL) {
			syncer_take_reload(s, reloaded);
			backoff = 0;
			next = s->conf->sync == CONF_SYNC_NO ? -1 : 0;
			continue;
		}
		if (syncer_pass_once(s) == 0) {
			backoff = 0;
			next = clock_now_ns() +
			    (int64_t)s->conf->sync_interval * CLOCK_NSEC;
			continue;
		}
		if (atomic_load(&s->stopping))
			break;
		backoff = backoff == 0 ? SYNCER_BACKOFF_FIRST : backoff * 2;
		if (backoff > (int64_t)s->conf->sync_interval)
			backoff = s->conf->sync_interval;
		log_warnx("SES: next pass in %lld s", (long long)backoff);
		next = clock_now_ns() + backoff * CLOCK_NSEC;
	}
	syncer_link_close(&s->link);
	state_free(s->state);
	s->state = NULL;
	log_info("SES: synchroniser stopped");
	return NULL;
}

struct syncer *
syncer_start(struct conf *conf, const struct syncer_hooks *hooks, char *err,
    size_t errlen)
{
	pthread_condattr_t ca;
	sigset_t all, old;
	struct syncer *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	if (hooks != NULL)
		s->hooks = *hooks;
	atomic_init(&s->stopping, false);
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	s->conf = conf_ref(conf);
	ses_ratelimit_set(conf->rate);
	/* signals are the daemon's main threads' business, never this one's */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	errno = pthread_create(&s->thread, NULL, syncer_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (errno != 0) {
		snprintf(err, errlen, "cannot start the SES thread: %s",
		    strerror(errno));
		conf_unref(s->conf);
		pthread_cond_destroy(&s->cond);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	return s;
}

void
syncer_reload(struct syncer *s, struct conf *conf)
{
	struct conf *old;

	pthread_mutex_lock(&s->lock);
	old = s->pending;
	s->pending = conf_ref(conf);
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	conf_unref(old);
}

void
syncer_stop(struct syncer *s)
{
	if (s == NULL)
		return;
	atomic_store(&s->stopping, true);
	pthread_mutex_lock(&s->lock);
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	conf_unref(s->pending);
	conf_unref(s->conf);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
