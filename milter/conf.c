/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/conf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "milter/addr.h"
#include "milter/account.h"
#include "milter/alabel.h"
#include "milter/ident.h"

/* Postfix's milter command timeout is 30 s: a DNS wait must end well before. */
#define CONF_DNS_BUDGET_MS 20000

enum conf_section {
	SEC_NONE,
	SEC_MILTER,
	SEC_DNS,
	SEC_SES,
	SEC_IDENTITY,
	SEC_UNKNOWN
};

struct conf_loader {
	struct conf *conf;
	FILE *fp;
	conf_report_fn report;
	void *report_arg;
	int line;
	int errors;
	enum conf_section section;
	struct conf_identity *identity; /* current [identity] section */
	unsigned long seen;             /* bit per key of the current section */
	size_t idcap;
	/* Where the keys checked together at the end were set. */
	int ttl_line, timeout_line, mx_line;
	/* Problems, reported in line order once the whole file is read. */
	struct conf_problem {
		int line;
		size_t seq; /* file order among problems on one line */
		char *msg;
	} * problems;
	size_t nproblems, problemcap;
};

static conf_account_fn conf_account_lookup = account_lookup;

void
conf_set_account_lookup(conf_account_fn fn)
{
	conf_account_lookup = fn != NULL ? fn : account_lookup;
}

static void conf_error(struct conf_loader *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
conf_error(struct conf_loader *ld, int line, const char *fmt, ...)
{
	char msg[512], full[1024];
	va_list ap;
	void *p;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "%s:%d: %s", ld->conf->path, line, msg);
	ld->errors++;
	if (ld->nproblems == ld->problemcap) {
		size_t ncap = ld->problemcap ? ld->problemcap * 2 : 8;

		if ((p = reallocarray(
			 ld->problems, ncap, sizeof(*ld->problems))) == NULL) {
			ld->report(
			    ld->report_arg, full); /* unsorted beats lost */
			return;
		}
		ld->problems = p;
		ld->problemcap = ncap;
	}
	if ((ld->problems[ld->nproblems].msg = strdup(full)) == NULL) {
		ld->report(ld->report_arg, full);
		return;
	}
	ld->problems[ld->nproblems].seq = ld->nproblems;
	ld->problems[ld->nproblems++].line = line;
}

static int
conf_problem_cmp(const void *a, const void *b)
{
	const struct conf_problem *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
conf_report_problems(struct conf_loader *ld)
{
	size_t i;

	if (ld->nproblems > 1)
		qsort(ld->problems, ld->nproblems, sizeof(*ld->problems),
		    conf_problem_cmp);
	for (i = 0; i < ld->nproblems; i++) {
		ld->report(ld->report_arg, ld->problems[i].msg);
		free(ld->problems[i].msg);
	}
	free(ld->problems);
}

static char *
conf_strdup(struct conf_loader *ld, const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		conf_error(ld, ld->line, "out of memory");
	return p;
}

/* Replaces *dst, so that a key given again does not leak the first value. */
static bool
conf_set_string(struct conf_loader *ld, char **dst, const char *value)
{
	char *p = conf_strdup(ld, value);

	if (p == NULL)
		return false;
	free(*dst);
	*dst = p;
	return true;
}

/*
 * A list of names (letters, digits, '.', '_', '-') separated by commas or
 * blanks, kept with one space between names: the form origin.c matches.
 */
static void
conf_set_names(
    struct conf_loader *ld, char **dst, const char *key, const char *value)
{
	static const char sep[] = ", \t";
	size_t len = strlen(value), n, out = 0;
	const char *p = value;
	char *list;

	if ((list = malloc(len + 1)) == NULL) {
		conf_error(ld, ld->line, "out of memory");
		return;
	}
	for (p += strspn(p, sep); *p != '\0'; p += n + strspn(p + n, sep)) {
		n = strcspn(p, sep);
		if (strspn(p,
			"abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") < n) {
			conf_error(ld, ld->line,
			    "%s: '%.*s' is not a name (letters, digits, "
			    "'.', '_', '-')",
			    key, (int)n, p);
			free(list);
			return;
		}
		if (out > 0)
			list[out++] = ' ';
		memcpy(list + out, p, n);
		out += n;
	}
	list[out] = '\0';
	free(*dst);
	*dst = list;
}

static void
conf_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

bool
conf_parse_duration(const char *s, unsigned *seconds)
{
	unsigned long long v = 0, mult;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (unsigned)(*p++ - '0');
		if (v > UINT_MAX)
			return false;
	}
	if (strcmp(p, "") == 0 || strcmp(p, "s") == 0)
		mult = 1;
	else if (strcmp(p, "m") == 0)
		mult = 60;
	else if (strcmp(p, "h") == 0)
		mult = 3600;
	else if (strcmp(p, "d") == 0)
		mult = 86400;
	else
		return false;
	if (v * mult > UINT_MAX)
		return false;
	*seconds = (unsigned)(v * mult);
	return true;
}

static bool
conf_parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool
conf_parse_port(const char *s, size_t len)
{
	char buf[8];
	long port;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return conf_parse_int(buf, 1, 65535, &port);
}

bool
conf_parse_socket(const char *s, const char **why)
{
	const char *rest, *at;
	struct sockaddr_un sun;

	if ((rest = strchr(s, ':')) == NULL) {
		*why =
		    "expected unix:/path, local:/path, inet:PORT@HOST or inet6:PORT@HOST";
		return false;
	}
	rest++;
	if (strncmp(s, "unix:", 5) == 0 || strncmp(s, "local:", 6) == 0) {
		if (rest[0] != '/') {
			*why = "the socket path must be absolute";
			return false;
		}
		if (strlen(rest) >= sizeof(sun.sun_path)) {
			*why = "the socket path is too long for a unix socket";
			return false;
		}
		return true;
	}
	if (strncmp(s, "inet:", 5) == 0 || strncmp(s, "inet6:", 6) == 0) {
		at = strchr(rest, '@');
		if (!conf_parse_port(rest,
			at != NULL ? (size_t)(at - rest) : strlen(rest))) {
			*why = "the port must be a number from 1 to 65535";
			return false;
		}
		if (at != NULL && at[1] == '\0') {
			*why = "empty host after '@'";
			return false;
		}
		return true;
	}
	*why = "unknown socket type; expected unix:, local:, inet: or inet6:";
	return false;
}

bool
conf_is_subdomain(const char *sub, const char *parent)
{
	size_t ls = strlen(sub), lp = strlen(parent);

	return ls > lp + 1 && sub[ls - lp - 1] == '.' &&
	    strcasecmp(sub + ls - lp, parent) == 0;
}

/*
 * A DNS host name as SES and resolvers take it: letter-digit-hyphen labels
 * of 1 to 63 bytes, 253 bytes in all. Stricter than an SMTP domain (no
 * address literal, no UTF-8): identities and MAIL FROM domains are DNS names.
 */
static bool
conf_valid_hostname(const char *s)
{
	size_t label = 0, total = strlen(s);
	const char *p;

	if (total == 0 || total > 253)
		return false;
	for (p = s;; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0 || label > 63 || p[-1] == '-')
				return false;
			if (*p == '\0')
				return true;
			label = 0;
		} else if (isalnum((unsigned char)*p) ||
		    (*p == '-' && label > 0))
			label++;
		else
			return false;
	}
}

static bool
conf_parse_servers(const char *s)
{
	char buf[512], *tok, *save, *port;
	unsigned char ab[16];

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ", \t", &save); tok != NULL;
	     tok = strtok_r(NULL, ", \t", &save)) {
		port = NULL;
		if (tok[0] == '[') { /* [v6]:port */
			char *close = strchr(tok, ']');

			if (close == NULL)
				return false;
			*close = '\0';
			if (close[1] == ':')
				port = close + 2;
			else if (close[1] != '\0')
				return false;
			tok++;
			if (inet_pton(AF_INET6, tok, ab) != 1)
				return false;
		} else {
			if ((port = strchr(tok, ':')) != NULL)
				*port++ = '\0';
			if (inet_pton(AF_INET, tok, ab) != 1)
				return false;
		}
		if (port != NULL && !conf_parse_port(port, strlen(port)))
			return false;
	}
	return true;
}

static const struct {
	const char *name;
	int facility;
} conf_facilities[] = {
	{ "mail", LOG_MAIL },
	{ "daemon", LOG_DAEMON },
	{ "user", LOG_USER },
	{ "local0", LOG_LOCAL0 },
	{ "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 },
	{ "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 },
	{ "local7", LOG_LOCAL7 },
};

/* Looks value up in a NULL-terminated list of names; -1 when absent. */
static int
conf_enum(const char *value, const char *const *names)
{
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(value, names[i]) == 0)
			return i;
	return -1;
}

static const char *const conf_yesno[] = { "no", "yes", NULL };
static const char *const conf_scopes[] = { "all", "authenticated", NULL };
static const char *const conf_actions[] = { "accept", "reject", "tempfail",
	NULL };
static const char *const conf_syncs[] = { "no", "yes", "dry-run", NULL };
static const char *const conf_behaviors[] = { "UseDefaultValue",
	"RejectMessage", NULL };

const char *
conf_behavior_name(enum conf_behavior b)
{
	return conf_behaviors[b];
}

const char *
conf_action_name(enum conf_action a)
{
	return conf_actions[a];
}

/*
 * One function per section; each returns the key's bit index (for the
 * duplicate check) or -1 for an unknown key, and reports bad values itself.
 */
#define KEY(i, n) (strcmp(name, (n)) == 0 && (key = (i)) >= 0)
#define BAD(...) conf_error(ld, ld->line, __VA_ARGS__)

static int
conf_key_milter(struct conf_loader *ld, const char *name, const char *value)
{
	struct conf *c = ld->conf;
	const char *why;
	long v;
	int key = -1, e;

	if (KEY(0, "socket")) {
		if (!conf_parse_socket(value, &why))
			BAD("socket: %s", why);
		else
			conf_set_string(ld, &c->socket, value);
	} else if (KEY(1, "user")) {
		struct account u;

		if (!conf_account_lookup(value, &u, &why))
			BAD("user '%s': %s", value, why);
		else
			conf_set_string(ld, &c->user, value);
	} else if (KEY(2, "umask")) {
		char *end;

		errno = 0;
		v = strtol(value, &end, 8);
		if (*value == '\0' || *end != '\0' || errno != 0 || v < 0 ||
		    v > 0777)
			BAD("umask must be octal, 000 to 777");
		else
			c->umask = (mode_t)v;
	} else if (KEY(3, "syslog_facility")) {
		size_t i;

		for (i = 0;
		     i < sizeof(conf_facilities) / sizeof(conf_facilities[0]);
		     i++)
			if (strcmp(value, conf_facilities[i].name) == 0)
				break;
		if (i == sizeof(conf_facilities) / sizeof(conf_facilities[0]))
			BAD("syslog_facility must be mail, daemon, user or local0 to local7");
		else
			c->syslog_facility = conf_facilities[i].facility;
	} else if (KEY(4, "scope")) {
		if ((e = conf_enum(value, conf_scopes)) < 0)
			BAD("scope must be all or authenticated");
		else
			c->scope = (enum conf_scope)e;
	} else if (KEY(5, "unknown_sender")) {
		if ((e = conf_enum(value, conf_actions)) < 0)
			BAD("unknown_sender must be accept, reject or tempfail");
		else
			c->unknown_sender = (enum conf_action)e;
	} else if (KEY(6, "on_internal_error")) {
		if ((e = conf_enum(value, conf_actions)) < 0 ||
		    e == CONF_REJECT)
			BAD("on_internal_error must be tempfail or accept");
		else
			c->on_internal_error = (enum conf_action)e;
	} else if (KEY(7, "rewrite_envelope")) {
		if ((e = conf_enum(value, conf_yesno)) < 0)
			BAD("rewrite_envelope must be yes or no");
		else
			c->rewrite_envelope = e == 1;
	} else if (KEY(8, "reject_reply") || KEY(9, "tempfail_reply")) {
		if (*value == '\0')
			BAD("%s must not be empty", name);
		else
			conf_set_string(ld,
			    key == 8 ? &c->reject_reply : &c->tempfail_reply,
			    value);
	} else if (KEY(10, "local_daemons")) {
		conf_set_names(ld, &c->local_daemons, name, value);
	} else if (KEY(11, "metrics_file")) {
		if (*value != '\0' && *value != '/')
			BAD("metrics_file must be an absolute path or empty");
		else
			conf_set_string(ld, &c->metrics_file, value);
	} else if (KEY(12, "metrics_interval")) {
		if (!conf_parse_duration(value, &c->metrics_interval) ||
		    c->metrics_interval == 0)
			BAD("metrics_interval: expected a duration of at least 1s, such as 15s");
	}
	return key;
}

static int
conf_key_dns(struct conf_loader *ld, const char *name, const char *value)
{
	struct conf *c = ld->conf;
	unsigned d;
	long v;
	int key = -1;

	if (KEY(0, "servers")) {
		if (!conf_parse_servers(value))
			BAD("servers: expected IP or IP:PORT ([IPv6]:PORT), comma separated");
		else
			conf_set_string(ld, &c->dns_servers, value);
	} else if (KEY(1, "timeout_ms")) {
		if (!conf_parse_int(value, 10, CONF_DNS_BUDGET_MS, &v))
			BAD("timeout_ms must be a number from 10 to %d",
			    CONF_DNS_BUDGET_MS);
		else
			c->dns_timeout_ms = (int)v;
		ld->timeout_line = ld->line;
	} else if (KEY(2, "tries")) {
		if (!conf_parse_int(value, 1, 10, &v))
			BAD("tries must be a number from 1 to 10");
		else
			c->dns_tries = (int)v;
		ld->timeout_line = ld->line;
	} else if (KEY(3, "min_ttl") || KEY(4, "max_ttl")) {
		if (!conf_parse_duration(value, &d))
			BAD("%s: expected a duration such as 30s, 5m, 1h or 1d",
			    name);
		else if (key == 3)
			c->dns_min_ttl = d;
		else
			c->dns_max_ttl = d;
		ld->ttl_line = ld->line;
	} else if (KEY(5, "expected_mx")) {
		if (conf_set_string(ld, &c->expected_mx, value))
			conf_lower(c->expected_mx);
		ld->mx_line = ld->line;
	}
	return key;
}

static int
conf_key_ses(struct conf_loader *ld, const char *name, const char *value)
{
	struct conf *c = ld->conf;
	const char *p;
	int key = -1, e;

	if (KEY(0, "region")) {
		for (p = value; *p != '\0'; p++)
			if (!islower((unsigned char)*p) &&
			    !isdigit((unsigned char)*p) && *p != '-')
				break;
		if (*value == '\0' || *p != '\0' || p - value > 32)
			BAD("region must look like us-east-1");
		else
			conf_set_string(ld, &c->region, value);
	} else if (KEY(1, "endpoint")) {
		if (*value != '\0' && strncmp(value, "https://", 8) != 0 &&
		    strncmp(value, "http://", 7) != 0)
			BAD("endpoint must be empty or an http:// or https:// URL");
		else
			conf_set_string(ld, &c->endpoint, value);
	} else if (KEY(2, "profile")) {
		conf_set_string(ld, &c->profile, value);
	} else if (KEY(3, "sync")) {
		if ((e = conf_enum(value, conf_syncs)) < 0)
			BAD("sync must be yes, no or dry-run");
		else
			c->sync = (enum conf_sync)e;
	} else if (KEY(4, "sync_interval")) {
		if (!conf_parse_duration(value, &c->sync_interval) ||
		    c->sync_interval == 0)
			BAD("sync_interval: expected a duration of at least 1s, such as 1h");
	} else if (KEY(6, "rate")) {
		char *end;

		errno = 0;
		c->rate = strtod(value, &end);
		if (*value == '\0' || *end != '\0' || errno != 0 ||
		    !(c->rate > 0) || c->rate > 100)
			BAD("rate must be a number of requests per second, above 0, at most 100");
	} else if (KEY(5, "state_file")) {
		if (value[0] != '/')
			BAD("state_file must be an absolute path");
		else
			conf_set_string(ld, &c->state_file, value);
	}
	return key;
}

/*
 * NAME as a DNS name in A-label form, lower-case, into OUT: U-labels and
 * A-labels alike, as SES stores and checks domains. False after reporting
 * why, quoting VALUE (WHAT's value as written).
 */
static bool
conf_dns_name(struct conf_loader *ld, const char *what, const char *value,
    const char *name, char *out, size_t size)
{
	const char *why;

	if (!alabel_domain(name, out, size, &why)) {
		conf_error(ld, ld->line,
		    "%s '%s' is not a valid domain name: %s", what, value, why);
		return false;
	}
	if (!conf_valid_hostname(out)) {
		conf_error(ld, ld->line, "%s '%s' is not a valid domain name",
		    what, value);
		return false;
	}
	return true;
}

static int
conf_key_identity(struct conf_loader *ld, const char *name, const char *value)
{
	struct conf_identity *id = ld->identity;
	char buf[ALABEL_NAME_MAX + 1];
	int key = -1, e;

	if (KEY(0, "mail_from_domain")) {
		const char *dom = strchr(id->name, '@');

		dom = dom != NULL ? dom + 1 : id->name;
		free(id->mail_from_domain);
		id->mail_from_domain = NULL;
		if (*value == '\0')
			return key; /* custom MAIL FROM disabled */
		if (!conf_dns_name(
			ld, "mail_from_domain", value, value, buf, sizeof(buf)))
			return key;
		if (!conf_is_subdomain(buf, dom))
			BAD("mail_from_domain '%s' is not a subdomain of %s",
			    value, dom);
		else
			id->mail_from_domain = conf_strdup(ld, buf);
	} else if (KEY(1, "behavior_on_mx_failure")) {
		if ((e = conf_enum(value, conf_behaviors)) < 0)
			BAD("behavior_on_mx_failure must be UseDefaultValue or RejectMessage");
		else
			id->behavior = (enum conf_behavior)e;
	}
	return key;
}

static void
conf_begin_identity(struct conf_loader *ld, const char *name)
{
	struct conf *c = ld->conf;
	struct conf_identity *id;
	struct addr a;
	const char *at = strchr(name, '@');
	char buf[ADDR_PATH_MAX + 1], dom[ALABEL_NAME_MAX + 1];
	enum addr_status st;

	ld->identity = NULL;
	if (at != NULL) {
		st = addr_parse(name, strlen(name), &a);
		if (st != ADDR_OK || a.ip_literal) {
			conf_error(ld, ld->line,
			    "identity '%s' is not a valid address: %s", name,
			    st != ADDR_OK ? addr_strerror(st) : "bad domain");
			return;
		}
		if (!conf_dns_name(
			ld, "identity", name, a.domain, dom, sizeof(dom)))
			return;
		/* the mailbox as SES and ident_find() compare it */
		if (!addr_join(a.local, dom, buf, sizeof(buf))) {
			conf_error(
			    ld, ld->line, "identity '%s' is too long", name);
			return;
		}
	} else if (!conf_dns_name(ld, "identity", name, name, buf, sizeof(buf)))
		return;

	if (c->nidentities == ld->idcap) {
		size_t ncap = ld->idcap ? ld->idcap * 2 : 16;
		void *p = reallocarray(c->identities, ncap, sizeof(*id));

		if (p == NULL) {
			conf_error(ld, ld->line, "out of memory");
			return;
		}
		c->identities = p;
		ld->idcap = ncap;
	}
	id = &c->identities[c->nidentities];
	memset(id, 0, sizeof(*id));
	if ((id->name = conf_strdup(ld, buf)) == NULL)
		return;
	id->behavior = CONF_USE_DEFAULT_VALUE; /* SES's own default */
	id->line = ld->line;
	c->nidentities++;
	ld->identity = id;
}

/*
 * Called by the reader for every "[...]" line, before inih sees it: inih
 * (as Debian builds it) does not tell the handler about sections without
 * keys, yet "[identity example.com]" alone is a meaningful identity.
 */
static void
conf_section(struct conf_loader *ld, const char *name, size_t len)
{
	char buf[512];

	ld->seen = 0;
	ld->identity = NULL;
	while (len > 0 && isspace((unsigned char)name[len - 1]))
		len--;
	while (len > 0 && isspace((unsigned char)*name))
		name++, len--;
	if (len >= sizeof(buf)) {
		conf_error(ld, ld->line, "section name too long");
		ld->section = SEC_UNKNOWN;
		return;
	}
	memcpy(buf, name, len);
	buf[len] = '\0';
	if (strcmp(buf, "milter") == 0)
		ld->section = SEC_MILTER;
	else if (strcmp(buf, "dns") == 0)
		ld->section = SEC_DNS;
	else if (strcmp(buf, "ses") == 0)
		ld->section = SEC_SES;
	else if (strncmp(buf, "identity", 8) == 0 &&
	    isspace((unsigned char)buf[8])) {
		const char *id = buf + 9;

		while (isspace((unsigned char)*id))
			id++;
		ld->section = SEC_IDENTITY;
		conf_begin_identity(ld, id);
	} else {
		conf_error(ld, ld->line,
		    "unknown section [%s]; expected [milter], [dns], [ses] or [identity NAME]",
		    buf);
		ld->section = SEC_UNKNOWN;
	}
}

static int
conf_handler(
    void *user, const char *section, const char *name, const char *value)
{
	struct conf_loader *ld = user;
	int key;

	(void)
	    section; /* the reader tracks sections itself, see conf_section() */
	switch (ld->section) {
	case SEC_NONE:
		conf_error(ld, ld->line, "'%s' outside any section", name);
		return 1;
	case SEC_UNKNOWN:
		return 1; /* already reported at the section header */
	case SEC_MILTER:
		key = conf_key_milter(ld, name, value);
		break;
	case SEC_DNS:
		key = conf_key_dns(ld, name, value);
		break;
	case SEC_SES:
		key = conf_key_ses(ld, name, value);
		break;
	case SEC_IDENTITY:
		if (ld->identity == NULL)
			return 1; /* bad identity name, already reported */
		key = conf_key_identity(ld, name, value);
		break;
	default:
		return 1;
	}
	if (key < 0)
		conf_error(ld, ld->line, "unknown key '%s'", name);
	else if (ld->seen & (1UL << key))
		conf_error(ld, ld->line,
		    "'%s' given twice in this section "
		    "(an indented line continues the previous value)",
		    name);
	else
		ld->seen |= 1UL << key;
	/* Always go on: every problem in the file is reported, not the first. */
	return 1;
}

/*
 * inih's reader: one line into STR (NUM bytes, inih's own buffer). Debian
 * builds inih with a 200-byte stack line buffer; it would cut a longer
 * line in two and parse the tail as a line of its own, so a line over
 * NUM - 3 bytes (room for its end and a NUL) is refused by line number
 * here. Only what inih can take is kept: the rest of a longer line is
 * read and dropped, so a line of any length costs no memory. Trailing
 * CRs do not count.
 */
static char *
conf_reader(char *str, int num, void *stream)
{
	struct conf_loader *ld = stream;
	size_t max, total = 0, len = 0;
	bool nul = false;
	char *p;
	int ch;

	if (num < 4 || (ch = getc_unlocked(ld->fp)) == EOF)
		return NULL;
	max = (size_t)num - 3;
	ld->line++;
	for (; ch != EOF && ch != '\n'; ch = getc_unlocked(ld->fp)) {
		if (total < max)
			str[total] = (char)ch;
		total++;
		if (ch != '\r')
			len = total; /* the line ends after its last non-CR */
		nul |= ch == '\0';
	}
	if (len > max) {
		conf_error(ld, ld->line, "line longer than %zu bytes", max);
		str[0] = '\0';
		return str;
	}
	str[len] = '\0';
	if (nul) {
		conf_error(ld, ld->line, "NUL byte in line");
		str[0] = '\0';
		return str;
	}
	p = str;
	if (ld->line == 1 && strncmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '[') {
		char *close = strchr(p, ']');

		if (close != NULL)
			conf_section(ld, p + 1, (size_t)(close - p - 1));
	}
	return str;
}

/*
 * Opens the file without blocking (a FIFO put in its place must not hang
 * a start or a reload) and only if it is a regular file. NULL with a
 * reason in *why.
 */
static FILE *
conf_open(const char *path, const char **why)
{
	struct stat st;
	FILE *fp;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		*why = strerror(errno);
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		close(fd);
		return NULL;
	}
	if ((fp = fdopen(fd, "r")) == NULL) {
		*why = strerror(errno);
		close(fd);
	}
	return fp;
}

static int
conf_identity_cmp(const void *a, const void *b)
{
	const struct conf_identity *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	return r != 0 ? r : x->line - y->line;
}

static void
conf_finish(struct conf_loader *ld)
{
	struct conf *c = ld->conf;
	size_t i;

	if (c->dns_min_ttl > c->dns_max_ttl)
		conf_error(ld, ld->ttl_line, "min_ttl is greater than max_ttl");
	if ((long)c->dns_timeout_ms * c->dns_tries > CONF_DNS_BUDGET_MS)
		conf_error(ld, ld->timeout_line,
		    "timeout_ms x tries exceeds %d ms; "
		    "Postfix gives a milter 30 s per command",
		    CONF_DNS_BUDGET_MS);

	if (strcmp(c->expected_mx, "any") != 0) {
		char buf[300];
		const char *ph = strstr(c->expected_mx, "{region}");

		if (ph != NULL)
			snprintf(buf, sizeof(buf), "%.*s%s%s",
			    (int)(ph - c->expected_mx), c->expected_mx,
			    c->region, ph + 8);
		else
			snprintf(buf, sizeof(buf), "%s", c->expected_mx);
		if (!conf_valid_hostname(buf))
			conf_error(ld, ld->mx_line,
			    "expected_mx '%s' is not a host name "
			    "(or \"any\")",
			    buf);
		else
			conf_set_string(ld, &c->expected_mx, buf);
	}

	/* Sorting brings duplicates together; the lookup table is built elsewhere. */
	if (c->nidentities > 1)
		qsort(c->identities, c->nidentities, sizeof(*c->identities),
		    conf_identity_cmp);
	for (i = 1; i < c->nidentities; i++)
		if (strcmp(c->identities[i].name, c->identities[i - 1].name) ==
		    0)
			conf_error(ld, c->identities[i].line,
			    "identity %s already defined at line %d",
			    c->identities[i].name, c->identities[i - 1].line);
}

static struct conf *
conf_defaults(const char *path)
{
	struct conf *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	atomic_init(&c->refs, 1);
	c->umask = 007;
	c->syslog_facility = LOG_MAIL;
	c->scope = CONF_SCOPE_ALL;
	c->unknown_sender = CONF_ACCEPT;
	c->on_internal_error = CONF_TEMPFAIL;
	c->dns_timeout_ms = 2000;
	c->dns_tries = 2;
	c->dns_min_ttl = 0;
	c->dns_max_ttl = 3600;
	c->sync = CONF_SYNC_YES;
	c->sync_interval = 3600;
	c->metrics_interval = 15;
	c->rate = 1;
	c->path = strdup(path);
	c->socket = strdup("unix:/var/spool/postfix/ses-mailfrom/milter.sock");
	c->user = strdup("");
	c->reject_reply = strdup(CONF_REJECT_REPLY);
	c->tempfail_reply = strdup(CONF_TEMPFAIL_REPLY);
	c->local_daemons = strdup("local-submit");
	c->dns_servers = strdup("");
	c->expected_mx = strdup("feedback-smtp.{region}.amazonses.com");
	c->region = strdup("us-east-1");
	c->endpoint = strdup("");
	c->profile = strdup("");
	c->state_file = strdup("/var/lib/ses-mailfrom-milter/state.json");
	c->metrics_file = strdup("");
	if (c->path == NULL || c->socket == NULL || c->user == NULL ||
	    c->metrics_file == NULL || c->reject_reply == NULL ||
	    c->tempfail_reply == NULL || c->local_daemons == NULL ||
	    c->dns_servers == NULL || c->expected_mx == NULL ||
	    c->region == NULL || c->endpoint == NULL || c->profile == NULL ||
	    c->state_file == NULL) {
		conf_unref(c);
		return NULL;
	}
	return c;
}

struct conf *
conf_load(const char *path, conf_report_fn report, void *arg)
{
	struct conf_loader ld;
	const char *why;
	char msg[1024];
	int rc;

	memset(&ld, 0, sizeof(ld));
	ld.report = report;
	ld.report_arg = arg;
	if ((ld.conf = conf_defaults(path)) == NULL) {
		snprintf(msg, sizeof(msg), "%s: out of memory", path);
		report(arg, msg);
		return NULL;
	}
	if ((ld.fp = conf_open(path, &why)) == NULL) {
		snprintf(msg, sizeof(msg), "%s:0: cannot open: %s", path, why);
		report(arg, msg);
		conf_unref(ld.conf);
		return NULL;
	}
	rc = ini_parse_stream(conf_reader, &ld, conf_handler, &ld);
	if (ferror(ld.fp))
		conf_error(&ld, ld.line, "read error");
	fclose(ld.fp);
	/* The handler never fails, so inih's error line is a syntax error. */
	if (rc > 0)
		conf_error(&ld, rc,
		    "syntax error: expected 'key = value' or '[section]'");
	else if (rc < 0)
		conf_error(&ld, 0, "inih failed (%d)", rc);
	conf_finish(&ld);
	if (ld.errors == 0 &&
	    (ld.conf->index = ident_build(
		 ld.conf->identities, ld.conf->nidentities)) == NULL)
		conf_error(&ld, ld.line, "out of memory indexing identities");
	conf_report_problems(&ld);
	if (ld.errors > 0) {
		conf_unref(ld.conf);
		return NULL;
	}
	return ld.conf;
}

void
conf_expected_mx_host(const struct conf *c, char *buf, size_t len)
{
	if (strcmp(c->expected_mx, "any") == 0)
		snprintf(buf, len, "feedback-smtp.%s.amazonses.com", c->region);
	else
		snprintf(buf, len, "%s", c->expected_mx);
}

struct conf *
conf_ref(struct conf *c)
{
	atomic_fetch_add(&c->refs, 1);
	return c;
}

static _Atomic(conf_release_fn) conf_release;

void
conf_set_release(conf_release_fn fn)
{
	atomic_store(&conf_release, fn);
}

void
conf_unref(struct conf *c)
{
	conf_release_fn release;

	if (c == NULL || atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	if ((release = atomic_load(&conf_release)) != NULL)
		release(c);
	else
		conf_free(c);
}

void
conf_free(struct conf *c)
{
	size_t i;

	for (i = 0; i < c->nidentities; i++) {
		free(c->identities[i].name);
		free(c->identities[i].mail_from_domain);
	}
	ident_free(c->index);
	free(c->identities);
	free(c->path);
	free(c->socket);
	free(c->user);
	free(c->reject_reply);
	free(c->tempfail_reply);
	free(c->local_daemons);
	free(c->dns_servers);
	free(c->expected_mx);
	free(c->region);
	free(c->endpoint);
	free(c->profile);
	free(c->state_file);
	free(c->metrics_file);
	free(c);
}
