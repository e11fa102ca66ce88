/* SPDX-License-Identifier: BSD-2-Clause */
/* Configuration loading and validation: each kind of error, by FILE:LINE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "milter/account.h"
#include "milter/conf.h"

static char path[64];
static char msgs[8192]; /* every reported problem, one per line */
static int nmsgs;

static void
collect(void *arg, const char *msg)
{
	(void)arg;
	strncat(msgs, msg, sizeof(msgs) - strlen(msgs) - 2);
	strcat(msgs, "\n");
	nmsgs++;
}

static struct conf *
load_text(const char *text)
{
	FILE *fp;
	int fd;

	strcpy(path, "/tmp/test_conf.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	msgs[0] = '\0';
	nmsgs = 0;
	struct conf *c = conf_load(path, collect, NULL);
	unlink(path);
	return c;
}

/* Asserts the load failed with exactly one problem, at LINE, containing WHAT. */
static void
expect_error(const char *text, int line, const char *what)
{
	char want[128];
	struct conf *c = load_text(text);

	if (c != NULL) {
		conf_unref(c);
		fail_msg("loaded, expected '%s'", what);
	}
	snprintf(want, sizeof(want), "%s:%d: ", path, line);
	if (strncmp(msgs, want, strlen(want)) != 0 ||
	    strstr(msgs, what) == NULL || nmsgs != 1)
		fail_msg("expected one '%s%s...', got:\n%s", want, what, msgs);
}

/*
 * The example names the account that contrib/add-user and the package
 * create; the test machine need not have it.
 */
static bool
service_account(const char *spec, struct account *a, const char **why)
{
	if (strcmp(spec, "ses-mailfrom") != 0)
		return account_lookup(spec, a, why);
	memset(a, 0, sizeof(*a));
	a->set = true;
	a->uid = a->gid = 65000;
	strcpy(a->name, spec);
	return true;
}

static void
test_example_file(void **state)
{
	struct conf *c;

	(void)state;
	msgs[0] = '\0';
	conf_set_account_lookup(service_account);
	c = conf_load("conf/ses-mailfrom-milter.conf", collect, NULL);
	conf_set_account_lookup(NULL);
	if (c == NULL)
		fail_msg("%s", msgs);
	assert_string_equal(
	    c->socket, "unix:/var/spool/postfix/ses-mailfrom/milter.sock");
	assert_string_equal(
	    c->expected_mx, "feedback-smtp.us-east-1.amazonses.com");
	assert_int_equal(c->nidentities, 2);
	conf_unref(c);
}

static void
test_defaults(void **state)
{
	struct conf *c = load_text("");

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->umask, 007);
	assert_int_equal(c->syslog_facility, LOG_MAIL);
	assert_int_equal(c->scope, CONF_SCOPE_ALL);
	assert_int_equal(c->unknown_sender, CONF_ACCEPT);
	assert_int_equal(c->on_internal_error, CONF_TEMPFAIL);
	assert_false(c->rewrite_envelope);
	/* contrib/sendmail.mc's daemon for the MSP */
	assert_string_equal(c->local_daemons, "local-submit");
	assert_int_equal(c->dns_timeout_ms, 2000);
	assert_int_equal(c->dns_tries, 2);
	assert_int_equal(c->dns_min_ttl, 0);
	assert_int_equal(c->dns_max_ttl, 3600);
	assert_string_equal(c->region, "us-east-1");
	assert_int_equal(c->sync, CONF_SYNC_YES);
	assert_int_equal(c->sync_interval, 3600);
	assert_string_equal(c->metrics_file, "");
	assert_int_equal(c->metrics_interval, 15);
	assert_int_equal(c->nidentities, 0);
	conf_unref(c);
}

static void
test_values(void **state)
{
	struct conf *c = load_text(
	    "[milter]\nsocket = inet6:8895@[::1]\numask = 027\nsyslog_facility = local3\n"
	    "scope = authenticated\nunknown_sender = tempfail\non_internal_error = accept\n"
	    "rewrite_envelope = yes\nlocal_daemons = MSP-relay,local.v4 ,\tx_1\n"
	    "[dns]\nservers = 127.0.0.1:5353, [::1]:53, 10.0.0.1\ntimeout_ms = 500\n"
	    "tries = 3\nmin_ttl = 30s\nmax_ttl = 2h\nexpected_mx = any\n"
	    "[ses]\nregion = eu-west-1\nendpoint = http://127.0.0.1:9000\nprofile = ses\n"
	    "sync = dry-run\nsync_interval = 15m\nstate_file = /tmp/x.json\n");

	(void)state;
	if (c == NULL)
		fail_msg("%s", msgs);
	assert_string_equal(c->socket, "inet6:8895@[::1]");
	assert_int_equal(c->umask, 027);
	assert_int_equal(c->syslog_facility, LOG_LOCAL3);
	assert_int_equal(c->scope, CONF_SCOPE_AUTHENTICATED);
	assert_int_equal(c->unknown_sender, CONF_TEMPFAIL);
	assert_int_equal(c->on_internal_error, CONF_ACCEPT);
	assert_true(c->rewrite_envelope);
	assert_string_equal(c->local_daemons, "MSP-relay local.v4 x_1");
	assert_int_equal(c->dns_timeout_ms, 500);
	assert_int_equal(c->dns_tries, 3);
	assert_int_equal(c->dns_min_ttl, 30);
	assert_int_equal(c->dns_max_ttl, 7200);
	assert_string_equal(c->expected_mx, "any");
	assert_string_equal(c->region, "eu-west-1");
	assert_string_equal(c->endpoint, "http://127.0.0.1:9000");
	assert_int_equal(c->sync, CONF_SYNC_DRY_RUN);
	assert_int_equal(c->sync_interval, 900);
	conf_unref(c);
}

static void
test_identities(void **state)
{
	struct conf *c = load_text(
	    "[ses]\nregion = ap-south-1\n"
	    "[identity Example.COM]\nmail_from_domain = Bounce.Example.com\n"
	    "behavior_on_mx_failure = RejectMessage\n"
	    "[identity Alice.Smith@Example.ORG]\nmail_from_domain = a.b.example.org\n"
	    "[identity keyless.example.net]\n");
	size_t i;

	(void)state;
	if (c == NULL)
		fail_msg("%s", msgs);
	assert_int_equal(c->nidentities, 3);
	assert_string_equal(
	    c->expected_mx, "feedback-smtp.ap-south-1.amazonses.com");
	for (i = 0; i < c->nidentities; i++) {
		struct conf_identity *id = &c->identities[i];

		if (strcmp(id->name, "example.com") == 0) {
			assert_string_equal(
			    id->mail_from_domain, "bounce.example.com");
			assert_int_equal(id->behavior, CONF_REJECT_MESSAGE);
		} else if (strcmp(id->name, "Alice.Smith@example.org") == 0) {
			/* local part keeps its case: SES compares it exactly */
			assert_string_equal(
			    id->mail_from_domain, "a.b.example.org");
			assert_int_equal(id->behavior, CONF_USE_DEFAULT_VALUE);
		} else {
			assert_string_equal(id->name, "keyless.example.net");
			assert_null(id->mail_from_domain);
			assert_int_equal(id->line, 8);
		}
	}
	conf_unref(c);
}

static void
test_unknown_section(void **state)
{
	(void)state;
	expect_error("[milter]\nscope = all\n\n[smtp]\nx = 1\n", 4,
	    "unknown section [smtp]");
}

static void
test_unknown_key(void **state)
{
	(void)state;
	expect_error("[dns]\ntimeout_ms = 100\nretries = 3\n", 3,
	    "unknown key 'retries'");
}

static void
test_key_outside_section(void **state)
{
	(void)state;
	expect_error("socket = unix:/x\n", 1, "outside any section");
}

static void
test_bad_enums(void **state)
{
	(void)state;
	expect_error("[milter]\nscope = some\n", 2, "scope must be");
	expect_error(
	    "[milter]\nunknown_sender = drop\n", 2, "unknown_sender must be");
	/* never a 5xx for our own trouble */
	expect_error("[milter]\non_internal_error = reject\n", 2,
	    "on_internal_error must be");
	expect_error("[milter]\nrewrite_envelope = true\n", 2,
	    "rewrite_envelope must be");
	expect_error(
	    "[milter]\nsyslog_facility = kern\n", 2, "syslog_facility must be");
	expect_error("[ses]\nsync = maybe\n", 2, "sync must be");
	expect_error(
	    "[identity a.com]\nbehavior_on_mx_failure = rejectmessage\n", 2,
	    "behavior_on_mx_failure must be");
}

static void
test_local_daemons(void **state)
{
	struct conf *c;

	(void)state;
	expect_error("[milter]\nlocal_daemons = MTA, {daemon}\n", 2,
	    "local_daemons: '{daemon}' is not a name");
	expect_error("[milter]\nlocal_daemons = a;b\n", 2,
	    "local_daemons: 'a;b' is not a name");
	/* empty: no daemon brings local mail (Postfix's rule still holds) */
	c = load_text("[milter]\nlocal_daemons =\n");
	assert_non_null(c);
	assert_string_equal(c->local_daemons, "");
	conf_unref(c);
	c = load_text("[milter]\nlocal_daemons = , ,\n");
	assert_non_null(c);
	assert_string_equal(c->local_daemons, "");
	conf_unref(c);
}

static void
test_bad_numbers(void **state)
{
	(void)state;
	expect_error("[milter]\numask = 8\n", 2, "umask must be octal");
	expect_error("[milter]\numask = 1777\n", 2, "umask must be octal");
	expect_error("[dns]\ntimeout_ms = 2s\n", 2, "timeout_ms must be");
	expect_error("[dns]\ntries = 0\n", 2, "tries must be");
	expect_error(
	    "[dns]\ntimeout_ms = 15000\ntries = 2\n", 3, "timeout_ms x tries");
}

static void
test_bad_durations(void **state)
{
	(void)state;
	expect_error(
	    "[dns]\nmin_ttl = 5x\n", 2, "min_ttl: expected a duration");
	expect_error(
	    "[dns]\nmax_ttl = -1\n", 2, "max_ttl: expected a duration");
	expect_error("[ses]\nsync_interval = 0\n", 2, "sync_interval");
	expect_error("[milter]\nmetrics_interval = 0\n", 2, "metrics_interval");
	expect_error("[milter]\nmetrics_file = x.prom\n", 2,
	    "metrics_file must be an absolute path");
	expect_error("[dns]\nmin_ttl = 2h\nmax_ttl = 1h\n", 3,
	    "min_ttl is greater than max_ttl");
}

static void
test_bad_sockets(void **state)
{
	static const char *bad[] = {
		"[milter]\nsocket = /var/run/x.sock\n",
		"[milter]\nsocket = unix:relative.sock\n",
		"[milter]\nsocket = inet:0@127.0.0.1\n",
		"[milter]\nsocket = inet:70000@127.0.0.1\n",
		"[milter]\nsocket = inet:8895@\n",
		"[milter]\nsocket = tcp:8895@127.0.0.1\n",
		"[milter]\nsocket = inet:port@127.0.0.1\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(bad[i], 2, "socket: ");
}

static void
test_good_sockets(void **state)
{
	static const char *good[] = {
		"unix:/run/x.sock",
		"local:/run/x.sock",
		"inet:8895",
		"inet:8895@127.0.0.1",
		"inet:8895@localhost",
		"inet6:8895@[::1]",
	};
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!conf_parse_socket(good[i], &why))
			fail_msg("%s: %s", good[i], why);
}

static void
test_bad_servers(void **state)
{
	(void)state;
	expect_error("[dns]\nservers = ns1.example.com\n", 2, "servers:");
	expect_error("[dns]\nservers = 127.0.0.1:99999\n", 2, "servers:");
	expect_error("[dns]\nservers = [::1\n", 2, "servers:");
}

static void
test_mail_from_not_subdomain(void **state)
{
	(void)state;
	/* a plain suffix is not a subdomain: label boundary */
	expect_error(
	    "[identity example.com]\nmail_from_domain = xexample.com\n", 2,
	    "not a subdomain of example.com");
	/* the domain is not its own subdomain */
	expect_error("[identity example.com]\nmail_from_domain = example.com\n",
	    2, "not a subdomain");
	expect_error(
	    "[identity sub.example.com]\nmail_from_domain = example.com\n", 2,
	    "not a subdomain");
	/* an address identity: under the address's domain */
	expect_error(
	    "[identity bob@example.com]\nmail_from_domain = bounce.example.net\n",
	    2, "not a subdomain of example.com");
	expect_error(
	    "[identity example.com]\nmail_from_domain = bad_name.example.com\n",
	    2, "not a valid domain name");
}

static void
test_bad_identity_names(void **state)
{
	(void)state;
	expect_error("[identity exa mple.com]\n", 1, "not a valid domain name");
	expect_error("[identity @example.com]\n", 1, "not a valid address");
	expect_error("[identity bob@[192.0.2.1]]\n", 1, "not a valid address");
	expect_error(
	    "[identity -bad.example.com]\n", 1, "not a valid domain name");
}

/* U-labels and A-labels alike, stored as SES stores them: A-labels. */
static void
test_idn_identities(void **state)
{
	struct conf *c =
	    load_text("[identity m\xc3\xbcller.example]\n"
		      "mail_from_domain = bounce.M\xc3\x9cLLER.example\n"
		      "[identity anna@M\xc3\x9cLLER.example]\n"
		      "mail_from_domain = b.xn--mller-kva.example\n"
		      "[identity \"alice\"@example.com]\n");

	(void)state;
	if (c == NULL)
		fail_msg("%s", msgs);
	assert_int_equal(c->nidentities, 3);
	/* sorted by name */
	assert_string_equal(c->identities[0].name, "alice@example.com");
	assert_string_equal(
	    c->identities[1].name, "anna@xn--mller-kva.example");
	assert_string_equal(
	    c->identities[1].mail_from_domain, "b.xn--mller-kva.example");
	assert_string_equal(c->identities[2].name, "xn--mller-kva.example");
	assert_string_equal(
	    c->identities[2].mail_from_domain, "bounce.xn--mller-kva.example");
	conf_unref(c);

	expect_error("[identity m\xc3\xbcller.example]\n"
		     "[identity xn--mller-kva.example]\n",
	    2, "identity xn--mller-kva.example already defined at line 1");
	expect_error("[identity xn--zz.example]\n", 1,
	    "identity 'xn--zz.example' is not a valid domain name: string "
	    "contains invalid punycode");
	expect_error("[identity example.com]\nmail_from_domain = "
		     "b.\xd7\xa9\xd7\x9c"
		     "abc.example.com\n",
	    2,
	    "is not a valid domain name: string has forbidden bi-directional");
	expect_error("[identity a@xn--zz.example]\n", 1,
	    "is not a valid domain name: string contains invalid punycode");
}

static void
test_duplicate_identity(void **state)
{
	(void)state;
	expect_error("[identity example.com]\n\n[identity EXAMPLE.com]\n", 3,
	    "identity example.com already defined at line 1");
}

static void
test_duplicate_key(void **state)
{
	(void)state;
	expect_error("[ses]\nregion = us-east-1\nregion = eu-west-1\n", 3,
	    "given twice");
}

static void
test_syntax_error(void **state)
{
	(void)state;
	expect_error("[milter]\nscope all\n", 2, "syntax error");
	expect_error("[milter\n", 1, "syntax error");
}

static void
test_long_line(void **state)
{
	char text[600];

	(void)state;
	/* 198 bytes: Debian's inih would cut it into two lines; refuse it */
	snprintf(text, sizeof(text), "[ses]\nstate_file = /%0184d\n", 0);
	expect_error(text, 2, "line longer than 197 bytes");
	/* trailing CRs are not part of the line */
	snprintf(
	    text, sizeof(text), "[ses]\nstate_file = /%0183d\r\r\r\r\n", 0);
	conf_unref(load_text(text));
	assert_int_equal(nmsgs, 0);
	/* 197 bytes is the longest line inih holds: accepted */
	snprintf(text, sizeof(text), "[ses]\nstate_file = /%0183d\n", 0);
	struct conf *c = load_text(text);
	if (c == NULL)
		fail_msg("%s", msgs);
	assert_int_equal(strlen(c->state_file), 184);
	conf_unref(c);
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#ifndef UNDER_ASAN
/* Bytes of virtual memory in use, from /proc/self/statm. */
static size_t
vm_bytes(void)
{
	unsigned long pages = 0;
	FILE *fp = fopen("/proc/self/statm", "r");

	assert_non_null(fp);
	assert_int_equal(fscanf(fp, "%lu", &pages), 1);
	fclose(fp);
	return pages * (size_t)sysconf(_SC_PAGESIZE);
}
#endif

/*
 * A 100 MiB line is refused by its number without being held: the load
 * runs with its address space capped 32 MiB above what it had (not under
 * ASan, whose shadow memory an address-space limit breaks), and the
 * problems after it are still found. The old reader took the whole line
 * with getline(3) first (issue 11, item 7).
 */
static void
test_huge_line_bounded(void **state)
{
	static const char head[] = "[ses]\nstate_file = /";
	static const char tail[] = "\n[milter]\nscope all\n";
	char chunk[65536], want[256];
	size_t i;
	pid_t pid;
	FILE *fp;
	int fd, st;

	(void)state;
	strcpy(path, "/tmp/test_conf.XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(fp = fdopen(fd, "w"));
	memset(chunk, 'a', sizeof(chunk));
	fputs(head, fp);
	for (i = 0; i < 100 * 1024 * 1024 / sizeof(chunk); i++)
		assert_int_equal(
		    fwrite(chunk, 1, sizeof(chunk), fp), sizeof(chunk));
	fputs(tail, fp);
	assert_int_equal(fclose(fp), 0);

	fflush(NULL);
	if ((pid = fork()) == 0) {
#ifndef UNDER_ASAN
		struct rlimit rl;

		rl.rlim_cur = rl.rlim_max = vm_bytes() + 32 * 1024 * 1024;
		if (setrlimit(RLIMIT_AS, &rl) != 0)
			_exit(3);
#endif
		msgs[0] = '\0';
		nmsgs = 0;
		if (conf_load(path, collect, NULL) != NULL)
			_exit(2);
		snprintf(want, sizeof(want),
		    "%s:2: line longer than 197 bytes\n"
		    "%s:4: syntax error: expected 'key = value' or '[section]'\n",
		    path, path);
		if (strcmp(msgs, want) != 0) {
			fprintf(stderr, "got:\n%s", msgs);
			_exit(1);
		}
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	unlink(path);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* A FIFO in place of the file is refused at once, not waited on. */
static void
test_fifo_refused(void **state)
{
	char dir[] = "/tmp/test_conf.XXXXXX";

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	msgs[0] = '\0';
	nmsgs = 0;
	alarm(10); /* the old fopen() blocked here for ever */
	assert_null(conf_load(path, collect, NULL));
	alarm(0);
	unlink(path);
	rmdir(dir);
	assert_non_null(strstr(msgs, ":0: cannot open: not a regular file"));
}

static void
test_bad_user(void **state)
{
	(void)state;
	expect_error("[milter]\nuser = no-such-user-here\n", 2, "no such user");
	expect_error(
	    "[milter]\nuser = nobody:no-such-group-here\n", 2, "no such group");
}

static void
test_bad_region_endpoint(void **state)
{
	(void)state;
	expect_error("[ses]\nregion = US East\n", 2, "region must");
	expect_error("[ses]\nendpoint = email.us-east-1.amazonaws.com\n", 2,
	    "endpoint must");
	expect_error("[ses]\nstate_file = state.json\n", 2, "absolute");
	expect_error("[ses]\nrate = 0\n", 2, "rate must be");
	expect_error("[ses]\nrate = fast\n", 2, "rate must be");
	expect_error("[dns]\nexpected_mx = not a host\n", 2, "expected_mx");
}

static void
test_missing_file(void **state)
{
	(void)state;
	msgs[0] = '\0';
	nmsgs = 0;
	assert_null(conf_load("/nonexistent/x.conf", collect, NULL));
	assert_non_null(strstr(msgs, "/nonexistent/x.conf:0: cannot open"));
}

static void
test_all_problems_sorted(void **state)
{
	struct conf *c;
	const char *a, *b, *d;

	(void)state;
	c = load_text(
	    "[milter]\nscope = x\n[identity a.com]\n[identity a.com]\n"
	    "[dns]\ntries = 99\n");
	assert_null(c);
	assert_int_equal(nmsgs, 3);
	a = strstr(msgs, ":2: scope");
	b = strstr(msgs, ":4: identity a.com already");
	d = strstr(msgs, ":6: tries");
	assert_true(a != NULL && b != NULL && d != NULL && a < b && b < d);
}

static void
test_durations(void **state)
{
	unsigned s;

	(void)state;
	assert_true(conf_parse_duration("0", &s) && s == 0);
	assert_true(conf_parse_duration("45s", &s) && s == 45);
	assert_true(conf_parse_duration("5m", &s) && s == 300);
	assert_true(conf_parse_duration("1h", &s) && s == 3600);
	assert_true(conf_parse_duration("2d", &s) && s == 172800);
	assert_false(conf_parse_duration("", &s));
	assert_false(conf_parse_duration("1 h", &s));
	assert_false(conf_parse_duration("h", &s));
	assert_false(conf_parse_duration("99999999999", &s));
	assert_false(conf_parse_duration("9999999d", &s));
}

static void
test_subdomain(void **state)
{
	(void)state;
	assert_true(conf_is_subdomain("b.example.com", "example.com"));
	assert_true(conf_is_subdomain("a.b.EXAMPLE.com", "example.com"));
	assert_false(conf_is_subdomain("example.com", "example.com"));
	assert_false(conf_is_subdomain("xexample.com", "example.com"));
	assert_false(conf_is_subdomain(".example.com", "example.com"));
	assert_false(conf_is_subdomain("com", "example.com"));
}

static void
test_refcount(void **state)
{
	struct conf *c = load_text("[identity a.com]\n");

	(void)state;
	assert_non_null(c);
	assert_ptr_equal(conf_ref(c), c);
	conf_unref(c);
	assert_int_equal(
	    c->nidentities, 1); /* still alive: one reference left */
	conf_unref(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_identities),
		cmocka_unit_test(test_unknown_section),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_local_daemons),
		cmocka_unit_test(test_key_outside_section),
		cmocka_unit_test(test_bad_enums),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_bad_durations),
		cmocka_unit_test(test_bad_sockets),
		cmocka_unit_test(test_good_sockets),
		cmocka_unit_test(test_bad_servers),
		cmocka_unit_test(test_mail_from_not_subdomain),
		cmocka_unit_test(test_bad_identity_names),
		cmocka_unit_test(test_idn_identities),
		cmocka_unit_test(test_duplicate_identity),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_huge_line_bounded),
		cmocka_unit_test(test_fifo_refused),
		cmocka_unit_test(test_bad_user),
		cmocka_unit_test(test_bad_region_endpoint),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_all_problems_sorted),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_subdomain),
		cmocka_unit_test(test_refcount),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
