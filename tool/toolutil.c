/* SPDX-License-Identifier: BSD-2-Clause */
#include "tool/toolutil.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "milter/log.h"
#include "milter/dns/resolver.h"

#define MAX_TIMEOUT_S (INT_MAX / 1000)

int
toolutil_args(const char *usage, bool dry_run_ok, int argc, char **argv,
    struct toolutil_opts *o)
{
	const char *a;
	int i;

	o->conf_path = CONF_DEFAULT_PATH;
	o->dry_run = false;
	for (i = 0; i < argc; i++) {
		a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0 ||
		    strcmp(a, "help") == 0) {
			fputs(usage, stdout);
			return CLI_RC_OK;
		}
		if (dry_run_ok && strcmp(a, "--dry-run") == 0)
			o->dry_run = true;
		else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
			if (++i == argc) {
				fprintf(
				    stderr, "\n%s needs a FILE\n%s", a, usage);
				return CLI_RC_PARAM;
			}
			o->conf_path = argv[i];
		} else if (strncmp(a, "--config=", 9) == 0)
			o->conf_path = a + 9;
		else if (strncmp(a, "-c", 2) == 0)
			o->conf_path = a + 2;
		else {
			fprintf(stderr, "\nUnknown options: %s\n%s", a, usage);
			return CLI_RC_PARAM;
		}
	}
	return TOOLUTIL_CONTINUE;
}

static void
toolutil_report(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "%s\n", msg);
}

struct conf *
toolutil_conf(const struct cli_globals *g, const char *path)
{
	struct conf *c;

	if ((c = conf_load(path, toolutil_report, NULL)) == NULL)
		return NULL;
	log_init(CLI_PROG, c->syslog_facility, g->debug);
	log_set_debug(g->debug);
	return c;
}

static void
toolutil_debug(void *arg, const char *msg)
{
	cli_debug(arg, "%s", msg);
}

/* The CLI's seconds (0: for ever) as the HTTP module's milliseconds. */
static long
toolutil_timeout_ms(long seconds)
{
	if (seconds == 0)
		return -1;
	return seconds > MAX_TIMEOUT_S ? MAX_TIMEOUT_S * 1000L : seconds * 1000;
}

int
toolutil_link(
    const struct cli_globals *g, const struct conf *c, struct syncpass_link *l)
{
	struct syncpass_client_opts o;
	char err[512];

	if (g->read_timeout < 0 || g->connect_timeout < 0) {
		fprintf(stderr, "\nthe timeouts must not be negative\n");
		return -1;
	}
	memset(&o, 0, sizeof(o));
	o.region = g->region;
	o.endpoint_url = g->endpoint_url;
	o.profile = g->profile;
	o.http.ca_file =
	    g->ca_bundle != NULL ? g->ca_bundle : getenv("AWS_CA_BUNDLE");
	o.http.no_verify = !g->verify_ssl;
	o.http.connect_timeout_ms = toolutil_timeout_ms(g->connect_timeout);
	o.http.timeout_ms = toolutil_timeout_ms(g->read_timeout);
	o.http.user_agent = CLI_PROG "/" VERSION;
	o.debug = toolutil_debug;
	o.debug_arg = (void *)g;
	/* the process-wide limit: this process is one more SES client */
	ses_ratelimit_set(c->rate);
	if (syncpass_link_open(c, &o, l, err, sizeof(err)) == -1) {
		fprintf(stderr, "\n%s\n", err);
		return -1;
	}
	return 0;
}

struct resolver *
toolutil_resolver(const struct conf *c)
{
	struct resolver_opts o;
	struct resolver *r;
	char err[256];

	memset(&o, 0, sizeof(o));
	o.servers = c->dns_servers;
	o.timeout_ms = c->dns_timeout_ms;
	o.tries = c->dns_tries;
	o.min_ttl = c->dns_min_ttl;
	o.max_ttl = c->dns_max_ttl;
	if ((r = resolver_start(&o, err, sizeof(err))) == NULL)
		fprintf(stderr, "\n%s\n", err);
	return r;
}

void
toolutil_setting(
    const char *domain, const char *behavior, char *buf, size_t len)
{
	if (domain == NULL || domain[0] == '\0')
		snprintf(buf, len, "(disabled)");
	else
		snprintf(buf, len, "%s %s", domain,
		    behavior != NULL ? behavior : "UseDefaultValue");
}

void
toolutil_table_init(struct toolutil_table *t, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
}

void
toolutil_table_row(struct toolutil_table *t, const char *const *cells)
{
	size_t i, ncap;
	char **p;

	if (t->nomem)
		return;
	if (t->nrows == t->cap) {
		ncap = t->cap != 0 ? t->cap * 2 : 16;
		if ((p = reallocarray(t->cells, ncap * t->ncols, sizeof(*p))) ==
		    NULL) {
			t->nomem = true;
			return;
		}
		t->cells = p;
		t->cap = ncap;
	}
	p = &t->cells[t->nrows * t->ncols];
	for (i = 0; i < t->ncols; i++)
		if ((p[i] = strdup(cells[i] != NULL ? cells[i] : "-")) == NULL)
			t->nomem = true;
	t->nrows++;
}

static void
toolutil_cell(const char *s, size_t width, bool last, FILE *fp)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		fputc((unsigned char)s[n] < 0x20 || s[n] == 0x7f ? '?' : s[n],
		    fp);
	if (last)
		fputc('\n', fp);
	else
		fprintf(fp, "%*s", (int)(width - n + 2), "");
}

void
toolutil_table_print(const struct toolutil_table *t, FILE *fp)
{
	size_t r, c, w[16] = { 0 }, len;
	const char *s;

	if (t->nomem || t->ncols > sizeof(w) / sizeof(w[0])) {
		fprintf(fp, "(out of memory)\n");
		return;
	}
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++)
			if ((len = strlen(t->cells[r * t->ncols + c])) > w[c])
				w[c] = len;
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			s = t->cells[r * t->ncols + c];
			toolutil_cell(s, w[c], c + 1 == t->ncols, fp);
		}
}

void
toolutil_table_free(struct toolutil_table *t)
{
	size_t i;

	for (i = 0; t->cells != NULL && i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
