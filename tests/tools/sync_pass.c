/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sync_pass: one synchroniser pass (milter/sync/syncpass.h's syncpass_run) on
 * a configuration file, for the integration tests; the same pass
 * `ses-mailfrom sync` runs, without the tool around it.
 *
 *   sync_pass -c FILE [--dry-run | --read-only]
 *
 * Prints one JSON line per configured identity,
 *   {"identity": I, "outcome": "in-step"|"ok"|"error"|"dry-run"|
 *    "unknown-identity"|"not-done", "known": B, "ses": {"mail_from_domain":
 *    D, "status": S, "behavior": B}, "error": E}
 * then {"ok": B, "gets": N, "sets": N, "error": E}. The audit lines go to
 * stderr. Exit status: 0 the pass succeeded, 1 it did not, 2 usage,
 * 78 invalid configuration (FILE:LINE messages on stderr).
 */
#include <curl/curl.h>
#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sysexits.h>

#include "milter/conf.h"
#include "milter/log.h"
#include "milter/sync/syncer.h"

static void
report(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "%s\n", msg);
}

static json_t *
str(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static void
print(json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);

	if (text != NULL)
		printf("%s\n", text);
	free(text);
	json_decref(j);
}

int
main(int argc, char **argv)
{
	struct syncpass_report rep;
	struct syncpass p;
	struct syncpass_link conn;
	const struct syncpass_row *row;
	const char *path = NULL;
	struct conf *c;
	char err[512];
	size_t i;
	int k, rc;

	memset(&p, 0, sizeof(p));
	p.mode = SYNCPASS_APPLY;
	for (k = 1; k < argc; k++) {
		if (strcmp(argv[k], "-c") == 0 && k + 1 < argc)
			path = argv[++k];
		else if (strcmp(argv[k], "--dry-run") == 0)
			p.mode = SYNCPASS_DRY_RUN;
		else if (strcmp(argv[k], "--read-only") == 0)
			p.mode = SYNCPASS_READ_ONLY;
		else {
			path = NULL;
			break;
		}
	}
	if (path == NULL) {
		fprintf(stderr,
		    "usage: sync_pass -c FILE [--dry-run | --read-only]\n");
		return 2;
	}
	if ((c = conf_load(path, report, NULL)) == NULL)
		return EX_CONFIG;
	log_init("sync_pass", LOG_MAIL, true);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    syncpass_link_open(c, NULL, &conn, err, sizeof(err)) == -1) {
		fprintf(stderr, "sync_pass: %s\n", err);
		conf_unref(c);
		return 1;
	}
	ses_ratelimit_set(c->rate);
	p.client = conn.client;
	p.conf = c;
	rc = syncpass_run(&p, &rep);
	for (i = 0; i < rep.nrows; i++) {
		row = &rep.rows[i];
		print(json_pack("{s:s, s:s, s:b, s:o, s:o}", "identity",
		    row->want->name, "outcome",
		    syncpass_outcome_name(row->outcome), "known", row->known,
		    "ses",
		    json_pack("{s:o, s:o, s:o}", "mail_from_domain",
			str(row->ses.mail_from_domain), "status",
			str(row->ses.status), "behavior",
			str(row->ses.behavior)),
		    "error", str(row->error)));
	}
	print(json_pack("{s:b, s:i, s:i, s:o}", "ok", rc == 0, "gets",
	    rep.get_requests, "sets", rep.set_requests, "error",
	    str(rep.error[0] != '\0' ? rep.error : NULL)));
	syncpass_report_free(&rep);
	syncpass_link_close(&conn);
	conf_unref(c);
	curl_global_cleanup();
	return rc == 0 ? 0 : 1;
}
