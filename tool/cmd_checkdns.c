/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ses-mailfrom check-dns: the DNS records SES needs on each configured
 * MAIL FROM domain. The MX goes through the milter's own resolver, so the
 * verdict is the one the milter applies at MAIL FROM; the SPF TXT record
 * is looked up here with c-ares on the same [dns] servers.
 */
#include <ares.h>
#include <arpa/nameser.h>
#include <poll.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "milter/dns/mx.h"
#include "milter/dns/resolver.h"
#include "milter/dns/spf.h"
#include "tool/project.h"
#include "tool/toolutil.h"

#define TXT_RECORDS_MAX 64  /* more TXT records than that: not read */
#define TXT_RECORD_MAX 4096 /* bytes of one record's strings */

static const char usage[] =
    "usage: " CLI_PROG " check-dns [-c FILE]\n"
    "  Checks each MAIL FROM domain of FILE (default " CONF_DEFAULT_PATH ")\n"
    "  for SES's DNS records: exactly one MX, the expected host, and one SPF\n"
    "  record with include:" SPF_SES_INCLUDE ". Prints the records to\n"
    "  publish for those that fail. Exit status: 0 all good, 1 a check\n"
    "  failed, 78 invalid FILE.\n";

struct txt_answer {
	bool done;
	int status; /* ARES_* */
	char *records[TXT_RECORDS_MAX];
	size_t n;
	bool nomem;
};

/* Appends LEN bytes to the last record; NUL bytes show as '?'. */
static void
txt_append(struct txt_answer *a, const unsigned char *s, size_t len)
{
	char *r = a->records[a->n - 1], *grown;
	size_t have = strlen(r), i;

	if (have + len > TXT_RECORD_MAX)
		len = TXT_RECORD_MAX - have;
	if ((grown = realloc(r, have + len + 1)) == NULL) {
		a->nomem = true;
		return;
	}
	for (i = 0; i < len; i++)
		grown[have + i] = s[i] == '\0' ? '?' : (char)s[i];
	grown[have + len] = '\0';
	a->records[a->n - 1] = grown;
}

static void
txt_callback(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct txt_answer *a = arg;
	struct ares_txt_ext *txt = NULL, *t;

	(void)timeouts;
	a->done = true;
	a->status = status;
	if (status != ARES_SUCCESS ||
	    (a->status = ares_parse_txt_reply_ext(abuf, alen, &txt)) !=
		ARES_SUCCESS)
		return;
	for (t = txt; t != NULL && !a->nomem; t = t->next) {
		/* a record is one or more strings, joined without a space */
		if (t->record_start || a->n == 0) {
			if (a->n == TXT_RECORDS_MAX)
				break;
			if ((a->records[a->n] = strdup("")) == NULL) {
				a->nomem = true;
				break;
			}
			a->n++;
		}
		txt_append(a, t->txt, t->length);
	}
	ares_free_data(txt);
}

static void
txt_free(struct txt_answer *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->records[i]);
	memset(a, 0, sizeof(*a));
}

/*
 * ares_getsock()'s bits, read without c-ares's macros: theirs shift an int
 * 1 by up to 31 places, which UBSan rightly calls an overflow.
 */
static bool
sock_readable(int bits, int i)
{
	return ((unsigned)bits >> i) & 1u;
}

static bool
sock_writable(int bits, int i)
{
	return ((unsigned)bits >> (i + ARES_GETSOCK_MAXNUM)) & 1u;
}

/* Drives CH until the query has its answer. */
static void
txt_wait(ares_channel ch, const struct txt_answer *a)
{
	ares_socket_t socks[ARES_GETSOCK_MAXNUM];
	struct pollfd pfd[ARES_GETSOCK_MAXNUM];
	struct timeval tv, *tvp;
	nfds_t n;
	int bits, i, ms;

	while (!a->done) {
		bits = ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
		for (i = 0, n = 0; i < ARES_GETSOCK_MAXNUM; i++) {
			if (!sock_readable(bits, i) && !sock_writable(bits, i))
				continue;
			pfd[n].fd = socks[i];
			pfd[n].events = (sock_readable(bits, i) ? POLLIN : 0) |
			    (sock_writable(bits, i) ? POLLOUT : 0);
			pfd[n].revents = 0;
			n++;
		}
		tvp = ares_timeout(ch, NULL, &tv);
		ms = tvp == NULL
		    ? 1000
		    : (int)(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000);
		if (poll(pfd, n, ms) <= 0) {
			/* nothing to read: let c-ares handle its timeouts */
			ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
			continue;
		}
		for (i = 0; i < (int)n; i++)
			ares_process_fd(ch,
			    pfd[i].revents & (POLLIN | POLLERR | POLLHUP)
				? pfd[i].fd
				: ARES_SOCKET_BAD,
			    pfd[i].revents & POLLOUT ? pfd[i].fd
						     : ARES_SOCKET_BAD);
	}
}

static int
txt_channel(const struct conf *c, ares_channel *ch)
{
	struct ares_options o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.timeout = c->dns_timeout_ms;
	o.tries = c->dns_tries;
	if ((rc = ares_init_options(ch, &o,
		 ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES)) != ARES_SUCCESS) {
		fprintf(stderr, "\nc-ares: %s\n", ares_strerror(rc));
		return -1;
	}
	if (c->dns_servers[0] != '\0' &&
	    (rc = ares_set_servers_ports_csv(*ch, c->dns_servers)) !=
		ARES_SUCCESS) {
		fprintf(stderr, "\nDNS servers '%s': %s\n", c->dns_servers,
		    ares_strerror(rc));
		ares_destroy(*ch);
		return -1;
	}
	return 0;
}

struct check {
	struct resolver *res;
	ares_channel ch;
	const struct conf *conf;
	char expected[MX_NAME_MAX + 1];
	struct toolutil_table table;
	struct toolutil_table publish; /* the records to add */
	bool failed;
	bool transient; /* a lookup failed, not a record */
};

static void
check_row(struct check *k, const char *domain, const char *what,
    const char *result, const char *found)
{
	const char *cells[4] = { domain, what, result, found };

	toolutil_table_row(&k->table, cells);
}

static void
check_mx(struct check *k, const char *domain)
{
	struct mx_summary found;
	enum mx_result r;
	char text[MX_NAME_MAX + 64], rec[2 * MX_NAME_MAX + 16];
	const char *cells[1];

	memset(&found, 0, sizeof(found));
	r = resolver_mx(k->res, domain, k->conf->expected_mx, &found, NULL);
	switch (r) {
	case MX_OK:
	case MX_WRONG_HOST:
		snprintf(text, sizeof(text), "%s",
		    found.host[0] != '\0' ? found.host : "(not a host name)");
		break;
	case MX_NXDOMAIN:
		snprintf(text, sizeof(text), "no such domain");
		break;
	case MX_NODATA:
		snprintf(text, sizeof(text), "no MX record");
		break;
	case MX_NULL_MX:
		snprintf(text, sizeof(text), "a null MX (0 .)");
		break;
	case MX_MULTIPLE:
		snprintf(text, sizeof(text), "%u MX records", found.nmx);
		break;
	default:
		snprintf(text, sizeof(text), "lookup failed (%s)",
		    mx_kind_name(found.kind));
		break;
	}
	check_row(k, domain, "MX", mx_result_name(r), text);
	if (r == MX_OK)
		return;
	k->failed = true;
	if (mx_result_transient(r)) {
		k->transient = true;
		return;
	}
	snprintf(rec, sizeof(rec), "%s. MX 10 %s.", domain, k->expected);
	cells[0] = rec;
	toolutil_table_row(&k->publish, cells);
}

static void
check_spf(struct check *k, const char *domain)
{
	struct txt_answer a;
	enum spf_result r;
	const char *spf = NULL, *cells[1];
	char text[TXT_RECORD_MAX + 32], rec[MX_NAME_MAX + 64];

	memset(&a, 0, sizeof(a));
	ares_query(k->ch, domain, ns_c_in, ns_t_txt, txt_callback, &a);
	txt_wait(k->ch, &a);
	if (a.nomem) {
		check_row(k, domain, "SPF", "error", "out of memory");
		k->failed = true;
		txt_free(&a);
		return;
	}
	if (a.status != ARES_SUCCESS && a.status != ARES_ENODATA &&
	    a.status != ARES_ENOTFOUND) {
		snprintf(text, sizeof(text), "lookup failed (%s)",
		    ares_strerror(a.status));
		check_row(k, domain, "SPF", "error", text);
		k->failed = k->transient = true;
		txt_free(&a);
		return;
	}
	r = spf_check(
	    (const char *const *)a.records, a.n, SPF_SES_INCLUDE, &spf);
	if (spf != NULL)
		snprintf(text, sizeof(text), "\"%s\"", spf);
	else if (r == SPF_MULTIPLE)
		snprintf(text, sizeof(text), "several v=spf1 records");
	else
		snprintf(text, sizeof(text),
		    a.status == ARES_ENOTFOUND ? "no such domain"
			: a.n == 0             ? "no TXT record"
					       : "no v=spf1 record");
	check_row(k, domain, "SPF", spf_result_name(r), text);
	txt_free(&a);
	if (r == SPF_OK)
		return;
	k->failed = true;
	snprintf(rec, sizeof(rec), "%s. TXT \"%s\"", domain, SPF_SES_RECORD);
	cells[0] = rec;
	toolutil_table_row(&k->publish, cells);
}

static int
domain_cmp(const void *a, const void *b)
{
	return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

/* The configured MAIL FROM domains, sorted, each once; *N of them. */
static const char **
check_domains(const struct conf *c, size_t *n)
{
	const char **d;
	size_t i, m = 0;

	*n = 0;
	if ((d = calloc(c->nidentities + 1, sizeof(*d))) == NULL)
		return NULL;
	for (i = 0; i < c->nidentities; i++)
		if (c->identities[i].mail_from_domain != NULL)
			d[m++] = c->identities[i].mail_from_domain;
	qsort(d, m, sizeof(*d), domain_cmp);
	for (i = 0; i < m; i++)
		if (*n == 0 || strcasecmp(d[*n - 1], d[i]) != 0)
			d[(*n)++] = d[i];
	return d;
}

static void
check_report(struct check *k, size_t ndomains)
{
	if (ndomains == 0) {
		printf(
		    "No identity has a MAIL FROM domain: nothing to check.\n");
		return;
	}
	toolutil_table_print(&k->table, stdout);
	if (k->publish.nrows > 0) {
		printf("\nPublish these records (and remove any other MX or "
		       "v=spf1 record of these names):\n");
		toolutil_table_print(&k->publish, stdout);
	}
	if (k->transient)
		printf("\nSome lookups failed: check the DNS servers and try "
		       "again.\n");
	if (!k->failed)
		printf("\nAll %zu MAIL FROM domains have the records SES "
		       "needs.\n",
		    ndomains);
}

int
tool_check_dns(const struct cli_globals *g, int argc, char **argv)
{
	static const char *const head[4] = { "DOMAIN", "CHECK", "RESULT",
		"FOUND" };
	struct toolutil_opts o;
	struct check k;
	struct conf *c;
	const char **domains = NULL;
	size_t i, n = 0;
	int rc;

	if ((rc = toolutil_args(usage, false, argc, argv, &o)) !=
	    TOOLUTIL_CONTINUE)
		return rc;
	if ((c = toolutil_conf(g, o.conf_path)) == NULL)
		return EX_CONFIG;
	memset(&k, 0, sizeof(k));
	k.conf = c;
	conf_expected_mx_host(c, k.expected, sizeof(k.expected));
	toolutil_table_init(&k.table, 4);
	toolutil_table_row(&k.table, head);
	toolutil_table_init(&k.publish, 1);
	rc = TOOL_RC_FAILED;
	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
		fprintf(stderr, "\ncannot initialise c-ares\n");
		goto out;
	}
	if ((domains = check_domains(c, &n)) == NULL ||
	    (k.res = toolutil_resolver(c)) == NULL ||
	    txt_channel(c, &k.ch) == -1)
		goto done;
	for (i = 0; i < n; i++) {
		check_mx(&k, domains[i]);
		check_spf(&k, domains[i]);
	}
	ares_destroy(k.ch);
	check_report(&k, n);
	rc = k.failed ? TOOL_RC_FAILED : CLI_RC_OK;
done:
	resolver_unref(k.res);
	ares_library_cleanup();
out:
	free(domains);
	toolutil_table_free(&k.table);
	toolutil_table_free(&k.publish);
	conf_unref(c);
	return rc;
}
