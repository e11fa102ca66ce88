/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ses-mailfrom sync and status: one synchroniser pass, shown as a table.
 */
#include <ares.h>

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "milter/conf.h"
#include "milter/dns/resolver.h"
#include "milter/sync/syncer.h"
#include "milter/sync/syncplan.h"
#include "tool/project.h"
#include "tool/toolutil.h"

#define SETTING_MAX 400

static const char sync_usage[] =
    "usage: " CLI_PROG " sync [-c FILE] [--dry-run]\n"
    "  Makes SES's custom MAIL FROM setting of every identity in FILE\n"
    "  (default " CONF_DEFAULT_PATH ") equal to FILE, calling\n"
    "  SetIdentityMailFromDomain only for those that differ, and again for\n"
    "  those SES has Failed whose MX record now checks out (re-verify); prints\n"
    "  what changed (or, with --dry-run, what would change) and what SES still\n"
    "  waits for. Exit status: 0 done (SES may still be checking), 1 a call\n"
    "  failed or an identity is unknown to SES, 2 SES has a MAIL FROM domain\n"
    "  Failed and its MX record is still wrong (publish the record shown), or\n"
    "  has not verified an identity, 78 invalid FILE.\n";

static const char status_usage[] =
    "usage: " CLI_PROG " status [-c FILE]\n"
    "  Prints for every identity in FILE (default " CONF_DEFAULT_PATH ")\n"
    "  SES's verification of the identity, the configured MAIL FROM setting,\n"
    "  SES's setting and status, the local MX check of the configured MAIL\n"
    "  FROM domain and what happens next.\n"
    "  Changes nothing. Exit status: 0 SES uses every configured setting,\n"
    "  2 something is to be done or waited for (NEXT), 1 SES could not be\n"
    "  read, 78 invalid FILE.\n";

static enum mx_result
status_mx(void *arg, const char *domain)
{
	struct resolver *r = ((void **)arg)[0];
	const struct conf *c = ((void **)arg)[1];

	return resolver_mx(r, domain, c->expected_mx, NULL, NULL);
}

/* What happens next for ROW, in words, into BUF. */
static void
next_text(
    const struct conf *c, const struct syncpass_row *row, char *buf, size_t len)
{
	char host[300];

	switch (row->next) {
	case SYNCPLAN_NEXT_NONE:
		snprintf(buf, len, "-");
		break;
	case SYNCPLAN_NEXT_SET:
		snprintf(buf, len, "sync sets it");
		break;
	case SYNCPLAN_NEXT_UNKNOWN:
		snprintf(buf, len, "verify the identity in SES");
		break;
	case SYNCPLAN_NEXT_WAIT:
		snprintf(buf, len, "wait for SES (%s)",
		    row->ses.status != NULL ? row->ses.status : "no status");
		break;
	case SYNCPLAN_NEXT_REVERIFY:
		snprintf(buf, len, "re-verify (sync sets it again)");
		break;
	case SYNCPLAN_NEXT_FIX_DNS:
		conf_expected_mx_host(c, host, sizeof(host));
		snprintf(buf, len, "fix DNS: publish %s. MX 10 %s.",
		    row->want->mail_from_domain, host);
		break;
	case SYNCPLAN_NEXT_VERIFY_WAIT:
		snprintf(buf, len, "wait for SES to verify the identity (%s)",
		    row->ses.verification_status);
		break;
	case SYNCPLAN_NEXT_VERIFY:
		snprintf(buf, len, "verify the identity in SES (%s)",
		    row->ses.verification_status);
		break;
	}
}

/* The pass's rows that changed, would change or wait, as the sync table. */
static void
sync_table(const struct conf *c, const struct syncpass_report *rep)
{
	const struct syncpass_row *row;
	struct toolutil_table t;
	char from[SETTING_MAX], to[SETTING_MAX];
	char result[600], note[200];
	const char *cells[4];
	size_t i, shown = 0, used;

	toolutil_table_init(&t, 4);
	cells[0] = "IDENTITY";
	cells[1] = "FROM";
	cells[2] = "TO";
	cells[3] = "RESULT";
	toolutil_table_row(&t, cells);
	for (i = 0; i < rep->nrows; i++) {
		row = &rep->rows[i];
		if (row->outcome == SYNCPASS_IN_STEP &&
		    row->next == SYNCPLAN_NEXT_NONE)
			continue;
		if (row->known)
			toolutil_setting(row->ses.mail_from_domain,
			    row->ses.behavior, from, sizeof(from));
		else
			snprintf(from, sizeof(from), "-");
		toolutil_setting(row->want->mail_from_domain,
		    conf_behavior_name(row->want->behavior), to, sizeof(to));
		switch (row->outcome) {
		case SYNCPASS_FAILED:
			snprintf(result, sizeof(result), "error: %s",
			    row->error != NULL ? row->error : "?");
			break;
		case SYNCPASS_UNKNOWN:
			snprintf(result, sizeof(result),
			    "unknown identity "
			    "(not verified in SES)");
			break;
		case SYNCPASS_WOULD_CHANGE:
			snprintf(result, sizeof(result), "dry-run");
			break;
		case SYNCPASS_WOULD_REVERIFY:
			snprintf(result, sizeof(result),
			    "dry-run: re-verify (SES has it %s, the MX is "
			    "right now)",
			    row->ses.status);
			break;
		case SYNCPASS_REVERIFIED:
			snprintf(result, sizeof(result),
			    "re-verified: SES checks it again (was %s)",
			    row->ses.status);
			break;
		case SYNCPASS_NOT_DONE:
			snprintf(result, sizeof(result), "not done");
			break;
		case SYNCPASS_IN_STEP:
			next_text(c, row, result, sizeof(result));
			break;
		default:
			snprintf(result, sizeof(result), "%s",
			    syncpass_outcome_name(row->outcome));
			break;
		}
		/* a setting made is of no use until SES verifies the identity */
		if (row->outcome != SYNCPASS_IN_STEP &&
		    syncpass_row_unverified(row)) {
			next_text(c, row, note, sizeof(note));
			used = strlen(result);
			snprintf(
			    result + used, sizeof(result) - used, "; %s", note);
		}
		cells[0] = row->want->name;
		cells[1] = from;
		cells[2] = to;
		cells[3] = result;
		toolutil_table_row(&t, cells);
		shown++;
	}
	if (shown > 0)
		toolutil_table_print(&t, stdout);
	toolutil_table_free(&t);
}

/* How many rows of the pass are in step and then wait for NEXT. */
static size_t
count_next(const struct syncpass_report *rep, enum syncplan_next next)
{
	size_t i, n = 0;

	for (i = 0; i < rep->nrows; i++)
		if (rep->rows[i].outcome == SYNCPASS_IN_STEP &&
		    rep->rows[i].next == next)
			n++;
	return n;
}

/* How many identities SES knows but has not verified. */
static size_t
count_unverified(const struct syncpass_report *rep)
{
	size_t i, n = 0;

	for (i = 0; i < rep->nrows; i++)
		if (syncpass_row_unverified(&rep->rows[i]))
			n++;
	return n;
}

static void
sync_summary(const struct syncpass_report *rep, bool dry_run)
{
	size_t i, n[SYNCPASS_NOT_DONE + 1] = { 0 };

	for (i = 0; i < rep->nrows; i++)
		n[rep->rows[i].outcome]++;
	printf("%zu identities: %zu in step, %zu %s, %zu failed, %zu unknown "
	       "to SES",
	    rep->nrows, count_next(rep, SYNCPLAN_NEXT_NONE),
	    dry_run ? n[SYNCPASS_WOULD_CHANGE] : n[SYNCPASS_CHANGED],
	    dry_run ? "would change" : "changed", n[SYNCPASS_FAILED],
	    n[SYNCPASS_UNKNOWN]);
	printf(", %zu %s",
	    dry_run ? n[SYNCPASS_WOULD_REVERIFY] : n[SYNCPASS_REVERIFIED],
	    dry_run ? "would re-verify" : "re-verified");
	printf(", %zu waiting for SES, %zu with DNS to fix, %zu not verified "
	       "by SES",
	    count_next(rep, SYNCPLAN_NEXT_WAIT),
	    count_next(rep, SYNCPLAN_NEXT_FIX_DNS), count_unverified(rep));
	if (n[SYNCPASS_NOT_DONE] > 0)
		printf(", %zu not done", n[SYNCPASS_NOT_DONE]);
	printf(" (%d requests)\n", rep->get_requests + rep->set_requests);
}

/* Never "in-step" while SES does not use the setting. */
static const char *
status_sync(const struct syncpass_row *row)
{
	switch (row->outcome) {
	case SYNCPASS_IN_STEP:
		return row->next == SYNCPLAN_NEXT_NONE ? "in-step"
						       : "settings-match";
	case SYNCPASS_WOULD_CHANGE:
		return "differs";
	case SYNCPASS_UNKNOWN:
		return "unknown";
	default:
		return "-";
	}
}

/* SES's VerificationStatus of ROW's identity; "?" when it was not read. */
static const char *
verification_text(
    const struct syncpass_report *rep, const struct syncpass_row *row)
{
	if (!rep->read ||
	    (row->known && !rep->verification_read &&
		row->ses.verification_status == NULL))
		return "?";
	return row->ses.verification_status;
}

static void
show_status(const struct conf *c, const struct syncpass_report *rep)
{
	const struct syncpass_row *row;
	struct toolutil_table t;
	char want[SETTING_MAX], have[SETTING_MAX], next[600];
	const char *cells[8];
	size_t i;

	toolutil_table_init(&t, 8);
	cells[0] = "IDENTITY";
	cells[1] = "VERIFICATION";
	cells[2] = "CONFIGURED";
	cells[3] = "SES";
	cells[4] = "STATUS";
	cells[5] = "SYNC";
	cells[6] = "LOCAL MX";
	cells[7] = "NEXT";
	toolutil_table_row(&t, cells);
	for (i = 0; i < rep->nrows; i++) {
		row = &rep->rows[i];
		toolutil_setting(row->want->mail_from_domain,
		    conf_behavior_name(row->want->behavior), want,
		    sizeof(want));
		if (!rep->read)
			snprintf(have, sizeof(have), "?");
		else if (!row->known)
			snprintf(have, sizeof(have), "(unknown to SES)");
		else
			toolutil_setting(row->ses.mail_from_domain,
			    row->ses.behavior, have, sizeof(have));
		if (rep->read)
			next_text(c, row, next, sizeof(next));
		else
			snprintf(next, sizeof(next), "?");
		cells[0] = row->want->name;
		cells[1] = verification_text(rep, row);
		cells[2] = want;
		cells[3] = have;
		cells[4] = row->ses.status;
		cells[5] = status_sync(row);
		cells[6] = row->mx_checked ? mx_result_name(row->mx) : NULL;
		cells[7] = next;
		toolutil_table_row(&t, cells);
	}
	toolutil_table_print(&t, stdout);
	toolutil_table_free(&t);
}

/* The exit code of `status`: 0 only when SES uses every setting. */
static int
status_rc(const struct syncpass_report *rep)
{
	size_t i;

	if (!rep->read || !rep->verification_read)
		return TOOL_RC_FAILED;
	for (i = 0; i < rep->nrows; i++)
		if (rep->rows[i].next != SYNCPLAN_NEXT_NONE)
			return TOOL_RC_ATTENTION;
	return CLI_RC_OK;
}

/* The exit code of `sync` (RC: the pass's). */
static int
sync_rc(const struct syncpass_report *rep, int rc)
{
	size_t i;

	for (i = 0; i < rep->nrows; i++)
		if (rep->rows[i].outcome == SYNCPASS_UNKNOWN)
			rc = -1;
	if (rc != 0)
		return TOOL_RC_FAILED;
	return count_next(rep, SYNCPLAN_NEXT_FIX_DNS) > 0 ||
		count_unverified(rep) > 0
	    ? TOOL_RC_ATTENTION
	    : CLI_RC_OK;
}

static bool
not_done(const struct syncpass_report *rep)
{
	size_t i;

	for (i = 0; i < rep->nrows; i++)
		if (rep->rows[i].outcome == SYNCPASS_NOT_DONE)
			return true;
	return false;
}

/* One pass (status: read-only, with MX checks); the exit code. */
static int
run_pass(const struct cli_globals *g, const char *usage, bool dry_run_ok,
    int argc, char **argv, bool status)
{
	struct toolutil_opts o;
	struct syncpass_link conn;
	struct syncpass_report rep;
	struct syncpass_hooks hooks = { 0 };
	struct syncpass p;
	struct resolver *res = NULL;
	struct conf *c;
	void *mx_arg[2];
	int rc;

	if ((rc = toolutil_args(usage, dry_run_ok, argc, argv, &o)) !=
	    TOOLUTIL_CONTINUE)
		return rc;
	if ((c = toolutil_conf(g, o.conf_path)) == NULL)
		return EX_CONFIG;
	if (toolutil_link(g, c, &conn) == -1) {
		conf_unref(c);
		return TOOL_RC_FAILED;
	}
	memset(&p, 0, sizeof(p));
	p.client = conn.client;
	p.conf = c;
	p.mode = status ? SYNCPASS_READ_ONLY
	    : o.dry_run ? SYNCPASS_DRY_RUN
			: SYNCPASS_APPLY;
	/* both need the MX checks: status shows them, sync re-verifies */
	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS ||
	    (res = toolutil_resolver(c)) == NULL) {
		syncpass_link_close(&conn);
		conf_unref(c);
		return TOOL_RC_FAILED;
	}
	mx_arg[0] = res;
	mx_arg[1] = c;
	memset(&hooks, 0, sizeof(hooks));
	hooks.mx_check = status_mx;
	hooks.arg = mx_arg;
	hooks.failed_only = !status;
	p.hooks = &hooks;
	rc = syncpass_run(&p, &rep);
	if (status) {
		show_status(c, &rep);
		rc = status_rc(&rep);
	} else {
		sync_table(c, &rep);
		sync_summary(&rep, o.dry_run);
		rc = sync_rc(&rep, rc);
	}
	/* the table shows the errors of single identities; not this one */
	if (rep.error[0] != '\0' &&
	    (!rep.read || !rep.verification_read || not_done(&rep)))
		fprintf(stderr, "\n%s\n", rep.error);
	syncpass_report_free(&rep);
	resolver_unref(res);
	ares_library_cleanup();
	syncpass_link_close(&conn);
	conf_unref(c);
	return rc;
}

int
tool_sync(const struct cli_globals *g, int argc, char **argv)
{
	return run_pass(g, sync_usage, true, argc, argv, false);
}

int
tool_status(const struct cli_globals *g, int argc, char **argv)
{
	return run_pass(g, status_usage, false, argc, argv, true);
}
