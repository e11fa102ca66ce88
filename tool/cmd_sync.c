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
    "  SetIdentityMailFromDomain only for those that differ, and prints what\n"
    "  changed (or, with --dry-run, what would change). Exit status: 0 all in\n"
    "  step, 1 a call failed or an identity is unknown to SES, 78 invalid FILE.\n";

static const char status_usage[] =
    "usage: " CLI_PROG " status [-c FILE]\n"
    "  Prints for every identity in FILE (default " CONF_DEFAULT_PATH ")\n"
    "  the configured MAIL FROM setting, SES's setting and status, and the\n"
    "  local MX check of the configured MAIL FROM domain. Changes nothing.\n"
    "  Exit status: 0, 1 when SES could not be read, 78 invalid FILE.\n";

static enum mx_result
status_mx(void *arg, const char *domain)
{
	struct resolver *r = ((void **)arg)[0];
	const struct conf *c = ((void **)arg)[1];

	return resolver_mx(r, domain, c->expected_mx, NULL, NULL);
}

/* The pass's rows that changed or would change, as the sync table. */
static void
sync_table(const struct syncpass_report *rep)
{
	const struct syncpass_row *row;
	struct toolutil_table t;
	char from[SETTING_MAX], to[SETTING_MAX];
	char result[600];
	const char *cells[4];
	size_t i, shown = 0;

	toolutil_table_init(&t, 4);
	cells[0] = "IDENTITY";
	cells[1] = "FROM";
	cells[2] = "TO";
	cells[3] = "RESULT";
	toolutil_table_row(&t, cells);
	for (i = 0; i < rep->nrows; i++) {
		row = &rep->rows[i];
		if (row->outcome == SYNCPASS_IN_STEP)
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
		case SYNCPASS_NOT_DONE:
			snprintf(result, sizeof(result), "not done");
			break;
		default:
			snprintf(result, sizeof(result), "%s",
			    syncpass_outcome_name(row->outcome));
			break;
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

static void
sync_summary(const struct syncpass_report *rep, bool dry_run)
{
	size_t i, n[SYNCPASS_NOT_DONE + 1] = { 0 };

	for (i = 0; i < rep->nrows; i++)
		n[rep->rows[i].outcome]++;
	printf("%zu identities: %zu in step, %zu %s, %zu failed, %zu unknown "
	       "to SES",
	    rep->nrows, n[SYNCPASS_IN_STEP],
	    dry_run ? n[SYNCPASS_WOULD_CHANGE] : n[SYNCPASS_CHANGED],
	    dry_run ? "would change" : "changed", n[SYNCPASS_FAILED],
	    n[SYNCPASS_UNKNOWN]);
	if (n[SYNCPASS_NOT_DONE] > 0)
		printf(", %zu not done", n[SYNCPASS_NOT_DONE]);
	printf(" (%d requests)\n", rep->get_requests + rep->set_requests);
}

static const char *
status_sync(const struct syncpass_row *row)
{
	switch (row->outcome) {
	case SYNCPASS_IN_STEP:
		return "in-step";
	case SYNCPASS_WOULD_CHANGE:
		return "differs";
	case SYNCPASS_UNKNOWN:
		return "unknown";
	default:
		return "-";
	}
}

static void
show_status(const struct syncpass_report *rep)
{
	const struct syncpass_row *row;
	struct toolutil_table t;
	char want[SETTING_MAX], have[SETTING_MAX];
	const char *cells[6];
	size_t i;

	toolutil_table_init(&t, 6);
	cells[0] = "IDENTITY";
	cells[1] = "CONFIGURED";
	cells[2] = "SES";
	cells[3] = "STATUS";
	cells[4] = "SYNC";
	cells[5] = "LOCAL MX";
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
		cells[0] = row->want->name;
		cells[1] = want;
		cells[2] = have;
		cells[3] = row->ses.status;
		cells[4] = status_sync(row);
		cells[5] = row->mx_checked ? mx_result_name(row->mx) : NULL;
		toolutil_table_row(&t, cells);
	}
	toolutil_table_print(&t, stdout);
	toolutil_table_free(&t);
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
	size_t i;
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
	if (status) {
		if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS ||
		    (res = toolutil_resolver(c)) == NULL) {
			syncpass_link_close(&conn);
			conf_unref(c);
			return TOOL_RC_FAILED;
		}
		mx_arg[0] = res;
		mx_arg[1] = c;
		hooks.mx_check = status_mx;
		hooks.arg = mx_arg;
		p.hooks = &hooks;
	}
	rc = syncpass_run(&p, &rep);
	if (status) {
		show_status(&rep);
		rc = rep.read ? CLI_RC_OK : TOOL_RC_FAILED;
	} else {
		sync_table(&rep);
		sync_summary(&rep, o.dry_run);
		for (i = 0; i < rep.nrows; i++)
			if (rep.rows[i].outcome == SYNCPASS_UNKNOWN)
				rc = -1;
		rc = rc == 0 ? CLI_RC_OK : TOOL_RC_FAILED;
	}
	/* the table shows the errors of single identities; not this one */
	if (rep.error[0] != '\0' && (!rep.read || not_done(&rep)))
		fprintf(stderr, "\n%s\n", rep.error);
	syncpass_report_free(&rep);
	resolver_unref(res);
	if (status)
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
