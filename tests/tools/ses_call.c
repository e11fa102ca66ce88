/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ses_call: drives ses/client.c for the integration tests. Runs a sequence
 * of SES calls, optionally REPEAT times in each of THREADS threads (one
 * client per thread, all behind the process-wide rate limiter), and prints
 * one JSON line per call on stdout:
 *   {"thread":0,"seq":0,"command":"get","ok":true,"kind":"ok",
 *    "attempts":1,"retries_exhausted":false,"http_status":200,
 *    "http_error":"none","creds_status":0,"code":null,"message":null,
 *    "body":null,"request_id":"...","entries":[{"identity":...,
 *    "mail_from_domain":...,"status":...,"behavior":...,
 *    "verification_status":...,"verification_token":...}],
 *    "start_ms":0.1,"elapsed_ms":12.3}
 * --debug writes the client's debug lines to stderr as "debug: ...".
 *
 * usage: ses_call [--endpoint URL] [--region R] [--profile P]
 *                 [--max-attempts N] [--rate R] [--ca-file F] [--no-verify]
 *                 [--connect-timeout-ms N] [--timeout-ms N] [--debug]
 *                 [--threads N] [--repeat N] COMMAND [-- COMMAND]...
 * COMMAND: set IDENTITY [DOMAIN [BEHAVIOR]]   ("-" leaves a value out)
 *          get [IDENTITY...]
 *          verification [IDENTITY...]
 *          call ACTION [KEY=VALUE...]
 * Exit: 0 every call succeeded, 1 some failed, 2 usage, 3 setup failed
 * (then stdout has {"setup_error": "..."}).
 */
#include <curl/curl.h>
#include <jansson.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ses/awsenv.h"
#include "ses/client.h"
#include "ses/creds.h"

#define MAX_THREADS 64

struct command {
	const char *name;
	char **argv;
	int argc;
};

struct run {
	struct ses_client_options opt;
	struct command *cmds;
	int ncmds;
	int repeat;
	double t0;
};

struct worker {
	pthread_t tid;
	int id;
	struct run *run;
	int failed;
	int setup_failed;
};

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
usage(void)
{
	fprintf(stderr,
	    "usage: ses_call [--endpoint URL] [--region R] "
	    "[--profile P] [--max-attempts N] [--rate R] [--ca-file F] "
	    "[--no-verify] [--connect-timeout-ms N] [--timeout-ms N] "
	    "[--debug] [--threads N] [--repeat N] COMMAND [-- COMMAND]...\n"
	    "COMMAND: set IDENTITY [DOMAIN [BEHAVIOR]] | get [IDENTITY...] | "
	    "call ACTION [KEY=VALUE...]\n");
	return 2;
}

static void
on_debug(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "debug: %s\n", msg);
}

/* A JSON string of arbitrary bytes: invalid UTF-8 shows as '?'. */
static json_t *
jstr(const char *s)
{
	json_t *j;
	char *copy, *p;

	if (s == NULL)
		return json_null();
	if ((j = json_string(s)) != NULL)
		return j;
	if ((copy = strdup(s)) == NULL)
		return json_null();
	for (p = copy; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80 || (unsigned char)*p < 0x20)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j != NULL ? j : json_null();
}

static const char *
kind_name(enum ses_error_kind k)
{
	switch (k) {
	case SES_OK:
		return "ok";
	case SES_ESERVICE:
		return "service";
	case SES_ETRANSPORT:
		return "transport";
	case SES_EPARSE:
		return "parse";
	case SES_ECREDS:
		return "creds";
	case SES_EINTERNAL:
		break;
	}
	return "internal";
}

static void
print_json(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	pthread_mutex_lock(&out_lock);
	if (s != NULL)
		printf("%s\n", s);
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
	free(s);
}

static void
report(const struct worker *w, int seq, const struct command *cmd,
    const struct ses_result *r, int rc, double start, double end)
{
	json_t *o = json_object(), *list;
	size_t i;

	json_object_set_new(o, "thread", json_integer(w->id));
	json_object_set_new(o, "seq", json_integer(seq));
	json_object_set_new(o, "command", json_string(cmd->name));
	json_object_set_new(o, "ok", json_boolean(rc == 0));
	json_object_set_new(o, "kind", json_string(kind_name(r->kind)));
	json_object_set_new(o, "attempts", json_integer(r->attempts));
	json_object_set_new(
	    o, "retries_exhausted", json_boolean(r->retries_exhausted));
	json_object_set_new(o, "http_status", json_integer(r->http_status));
	json_object_set_new(
	    o, "http_error", json_string(http_error_name(r->http_error)));
	json_object_set_new(o, "creds_status", json_integer(r->creds_status));
	json_object_set_new(o, "code", jstr(r->code));
	json_object_set_new(o, "message", jstr(r->message));
	json_object_set_new(o, "body", jstr(r->body));
	json_object_set_new(
	    o, "request_id", jstr(r->doc != NULL ? r->doc->request_id : NULL));
	if (r->doc != NULL) {
		list = json_array();
		for (i = 0; i < r->doc->nentries; i++) {
			const struct sesxml_mail_from *e = &r->doc->entries[i];
			json_t *je = json_object();

			json_object_set_new(je, "identity", jstr(e->identity));
			json_object_set_new(
			    je, "mail_from_domain", jstr(e->mail_from_domain));
			json_object_set_new(je, "status", jstr(e->status));
			json_object_set_new(je, "behavior", jstr(e->behavior));
			json_object_set_new(je, "verification_status",
			    jstr(e->verification_status));
			json_object_set_new(je, "verification_token",
			    jstr(e->verification_token));
			json_array_append_new(list, je);
		}
		json_object_set_new(o, "entries", list);
	}
	json_object_set_new(o, "start_ms", json_real(start - w->run->t0));
	json_object_set_new(o, "elapsed_ms", json_real(end - start));
	print_json(o);
	json_decref(o);
}

static const char *
opt_arg(const char *s)
{
	return strcmp(s, "-") == 0 ? NULL : s;
}

static int
run_command(
    struct ses_client *c, const struct command *cmd, struct ses_result *r)
{
	struct ses_param *p;
	const char *eq;
	int i, n = 0, rc = -1;

	if (strcmp(cmd->name, "set") == 0)
		return ses_set_mail_from(c, cmd->argv[0],
		    cmd->argc > 1 ? opt_arg(cmd->argv[1]) : NULL,
		    cmd->argc > 2 ? opt_arg(cmd->argv[2]) : NULL, r);
	if (strcmp(cmd->name, "get") == 0)
		return ses_get_mail_from(
		    c, (const char *const *)cmd->argv, (size_t)cmd->argc, r);
	if (strcmp(cmd->name, "verification") == 0)
		return ses_get_verification(
		    c, (const char *const *)cmd->argv, (size_t)cmd->argc, r);
	memset(r, 0, sizeof(*r));
	r->kind = SES_EINTERNAL;
	if ((p = calloc((size_t)cmd->argc, sizeof(*p))) == NULL)
		return -1;
	for (i = 1; i < cmd->argc; i++, n++) {
		eq = strchr(cmd->argv[i], '=');
		if ((p[n].key = strndup(
			 cmd->argv[i], (size_t)(eq - cmd->argv[i]))) == NULL)
			goto done;
		p[n].value = eq + 1;
	}
	rc = ses_call(c, cmd->argv[0], p, (size_t)n, r);
done:
	for (i = 0; i < n; i++)
		free((char *)p[i].key);
	free(p);
	return rc;
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct ses_client *c;
	struct ses_result r;
	struct command cmd;
	char err[512];
	double start;
	int i, k, seq = 0, rc;

	if ((c = ses_client_new(&w->run->opt, err, sizeof(err))) == NULL) {
		json_t *o = json_pack("{s:s}", "setup_error", err);

		print_json(o);
		json_decref(o);
		w->setup_failed = 1;
		return NULL;
	}
	for (i = 0; i < w->run->repeat; i++)
		for (k = 0; k < w->run->ncmds; k++) {
			cmd = w->run->cmds[k];
			start = now_ms();
			rc = run_command(c, &cmd, &r);
			report(w, seq++, &cmd, &r, rc, start, now_ms());
			if (rc != 0)
				w->failed = 1;
			ses_result_free(&r);
		}
	ses_client_free(c);
	return NULL;
}

static int
parse_command(char **argv, int argc, struct command *cmd)
{
	int i;

	if (argc < 1)
		return -1;
	cmd->name = argv[0];
	cmd->argv = argv + 1;
	cmd->argc = argc - 1;
	if (strcmp(cmd->name, "set") == 0)
		return cmd->argc >= 1 && cmd->argc <= 3 ? 0 : -1;
	if (strcmp(cmd->name, "get") == 0 ||
	    strcmp(cmd->name, "verification") == 0)
		return 0;
	if (strcmp(cmd->name, "call") != 0 || cmd->argc < 1)
		return -1;
	for (i = 1; i < cmd->argc; i++)
		if (strchr(cmd->argv[i], '=') == NULL)
			return -1;
	return 0;
}

static int
setup_error(const char *msg)
{
	json_t *o = json_pack("{s:s}", "setup_error", msg);

	print_json(o);
	json_decref(o);
	curl_global_cleanup();
	return 3;
}

int
main(int argc, char **argv)
{
	static struct worker workers[MAX_THREADS];
	struct run run;
	struct creds_options co;
	struct creds_provider *creds;
	struct awsenv_region region;
	struct awsenv_endpoint ep;
	struct command cmds[64];
	const char *endpoint = NULL, *region_arg = NULL;
	char err[512];
	int i, start, nthreads = 1, debug = 0, rc = 0;
	double rate = -1;

	memset(&run, 0, sizeof(run));
	memset(&co, 0, sizeof(co));
	run.repeat = 1;
	for (i = 1;
	     i < argc && strncmp(argv[i], "--", 2) == 0 && argv[i][2] != '\0';
	     i++) {
		if (strcmp(argv[i], "--no-verify") == 0)
			run.opt.http.no_verify = 1;
		else if (strcmp(argv[i], "--debug") == 0)
			debug = 1;
		else if (i + 1 >= argc)
			return usage();
		else if (strcmp(argv[i], "--endpoint") == 0)
			endpoint = argv[++i];
		else if (strcmp(argv[i], "--region") == 0)
			region_arg = argv[++i];
		else if (strcmp(argv[i], "--profile") == 0)
			co.profile = argv[++i];
		else if (strcmp(argv[i], "--max-attempts") == 0)
			run.opt.max_attempts = atoi(argv[++i]);
		else if (strcmp(argv[i], "--rate") == 0)
			rate = atof(argv[++i]);
		else if (strcmp(argv[i], "--ca-file") == 0)
			run.opt.http.ca_file = argv[++i];
		else if (strcmp(argv[i], "--connect-timeout-ms") == 0)
			run.opt.http.connect_timeout_ms = atol(argv[++i]);
		else if (strcmp(argv[i], "--timeout-ms") == 0)
			run.opt.http.timeout_ms = atol(argv[++i]);
		else if (strcmp(argv[i], "--threads") == 0)
			nthreads = atoi(argv[++i]);
		else if (strcmp(argv[i], "--repeat") == 0)
			run.repeat = atoi(argv[++i]);
		else
			return usage();
	}
	if (nthreads < 1 || nthreads > MAX_THREADS || run.repeat < 0)
		return usage();
	for (start = i; i <= argc; i++) {
		if (i < argc && strcmp(argv[i], "--") != 0)
			continue;
		if (run.ncmds == (int)(sizeof(cmds) / sizeof(cmds[0])) ||
		    parse_command(argv + start, i - start, &cmds[run.ncmds]) ==
			-1)
			return usage();
		run.ncmds++;
		start = i + 1;
	}
	run.cmds = cmds;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 3;
	if (debug) {
		co.debug = on_debug;
		run.opt.debug = on_debug;
	}
	if (rate >= 0)
		ses_ratelimit_set(rate);
	if (awsenv_region(region_arg, co.profile, &region, err, sizeof(err)) !=
		AWSENV_OK ||
	    awsenv_endpoint(endpoint, region.name, &ep, err, sizeof(err)) !=
		AWSENV_OK)
		return setup_error(err);
	if ((creds = creds_provider_new(&co)) == NULL) {
		awsenv_endpoint_free(&ep);
		return setup_error("out of memory");
	}
	run.opt.region = region.name;
	run.opt.endpoint_url = ep.url;
	run.opt.creds = creds;
	run.opt.http.no_proxy = 1;
	run.t0 = now_ms();
	for (i = 0; i < nthreads; i++) {
		workers[i].id = i;
		workers[i].run = &run;
		if (pthread_create(&workers[i].tid, NULL, work, &workers[i]) !=
		    0)
			return 3;
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(workers[i].tid, NULL);
		if (workers[i].setup_failed)
			rc = 3;
		else if (workers[i].failed && rc == 0)
			rc = 1;
	}
	creds_provider_free(creds);
	awsenv_endpoint_free(&ep);
	curl_global_cleanup();
	return rc;
}
