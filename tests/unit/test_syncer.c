/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * syncer: passes and the daemon's thread against a small SES of the
 * test's own (an HTTP server on 127.0.0.1 in a thread, answering the
 * three calls from a table of identities, with scripted failures), so that the
 * whole synchroniser runs under ASan and UBSan. The log goes to stderr,
 * which a test can capture to check the audit lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "milter/conf.h"
#include "milter/log.h"
#include "milter/sync/state.h"
#include "milter/sync/syncer.h"
#include "milter/sync/syncplan.h"
#include "ses/client.h"

#define MAX_IDS 400
#define NS_XML "xmlns=\"http://ses.amazonaws.com/doc/2010-12-01/\""

/* ---- the fake SES ---- */

struct fake_id {
	char name[64];
	char domain[80]; /* "": disabled */
	char behavior[32];
	char status[20];
	char verification[20]; /* the identity's own VerificationStatus */
};

static struct fake {
	pthread_t thread;
	pthread_mutex_t lock;
	int lfd;
	int port;
	atomic_bool stop;
	struct fake_id ids[MAX_IDS];
	size_t nids;
	int gets, sets, verifications, max_members;
	/* the next fail_count requests of fail_action (NULL: any) fail */
	const char *fail_action;
	int fail_count;
	int fail_status;
	const char *fail_code;
	const char *reject_identity; /* Set: InvalidParameterValue */
} fake = { .lock = PTHREAD_MUTEX_INITIALIZER };
static char fake_url[64];

static void
fake_add(const char *name, const char *domain, const char *behavior,
    const char *status)
{
	struct fake_id *id = &fake.ids[fake.nids++];

	snprintf(id->name, sizeof(id->name), "%s", name);
	snprintf(id->domain, sizeof(id->domain), "%s", domain);
	snprintf(id->behavior, sizeof(id->behavior), "%s", behavior);
	snprintf(id->status, sizeof(id->status), "%s", status);
	snprintf(id->verification, sizeof(id->verification), "Success");
}

static struct fake_id *
fake_find(const char *name)
{
	size_t i;

	for (i = 0; i < fake.nids; i++)
		if (strcmp(fake.ids[i].name, name) == 0)
			return &fake.ids[i];
	return NULL;
}

static void
fake_reset(void)
{
	pthread_mutex_lock(&fake.lock);
	fake.nids = 0;
	fake.gets = fake.sets = fake.verifications = fake.max_members = 0;
	fake.fail_action = NULL;
	fake.fail_count = 0;
	fake.fail_code = NULL;
	fake.reject_identity = NULL;
	pthread_mutex_unlock(&fake.lock);
}

static int
fake_counts(int *sets)
{
	int gets;

	pthread_mutex_lock(&fake.lock);
	gets = fake.gets;
	if (sets != NULL)
		*sets = fake.sets;
	pthread_mutex_unlock(&fake.lock);
	return gets;
}

/* Decodes a form value in place. */
static void
url_decode(char *s)
{
	char *o = s, hex[3] = { 0 };

	for (; *s != '\0'; s++) {
		if (*s == '%' && s[1] != '\0' && s[2] != '\0') {
			hex[0] = s[1];
			hex[1] = s[2];
			*o++ = (char)strtol(hex, NULL, 16);
			s += 2;
		} else
			*o++ = *s == '+' ? ' ' : *s;
	}
	*o = '\0';
}

/* The value of KEY in the form BODY (decoded), or NULL. */
static const char *
form_get(const char *body, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key);
	const char *p = body, *end;

	while (p != NULL && *p != '\0') {
		end = strchr(p, '&');
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			p += klen + 1;
			snprintf(out, len, "%.*s",
			    (int)(end != NULL ? (size_t)(end - p) : strlen(p)),
			    p);
			url_decode(out);
			return out;
		}
		p = end != NULL ? end + 1 : NULL;
	}
	return NULL;
}

static void
reply(int fd, int status, const char *body)
{
	char head[256];
	size_t len = strlen(body);

	snprintf(head, sizeof(head),
	    "HTTP/1.1 %d X\r\nContent-Type: text/xml\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n",
	    status, len);
	if (write(fd, head, strlen(head)) < 0 || write(fd, body, len) < 0)
		return;
}

static void
reply_error(int fd, int status, const char *code)
{
	char body[512];

	snprintf(body, sizeof(body),
	    "<ErrorResponse " NS_XML "><Error><Type>"
	    "Sender</Type><Code>%s</Code><Message>fake %s</Message></Error>"
	    "<RequestId>r</RequestId></ErrorResponse>",
	    code, code);
	reply(fd, status, body);
}

/* One identity's members in a MailFromDomainAttributes <value>. */
static size_t
mail_from_value(const struct fake_id *id, char *out, size_t len)
{
	size_t n = (size_t)snprintf(out, len,
	    "<BehaviorOnMXFailure>%s</BehaviorOnMXFailure>", id->behavior);

	if (id->domain[0] != '\0')
		n += (size_t)snprintf(out + n, len - n,
		    "<MailFromDomain>%s</MailFromDomain>"
		    "<MailFromDomainStatus>%s</MailFromDomainStatus>",
		    id->domain, id->status);
	return n;
}

/* ... and in a VerificationAttributes <value>. */
static size_t
verification_value(const struct fake_id *id, char *out, size_t len)
{
	return (size_t)snprintf(out, len,
	    "<VerificationStatus>%s</VerificationStatus>", id->verification);
}

/* A Get*Attributes answer for ACTION: MAP of the known identities asked. */
static void
answer_attrs(int fd, const char *body, const char *action, const char *map,
    size_t (*value)(const struct fake_id *, char *, size_t))
{
	static char out[MAX_IDS * 400];
	char key[48], name[64];
	struct fake_id *id;
	size_t len;
	int n;

	len = (size_t)snprintf(out, sizeof(out),
	    "<%sResponse " NS_XML "><%sResult><%s>", action, action, map);
	for (n = 1;; n++) {
		snprintf(key, sizeof(key), "Identities.member.%d", n);
		if (form_get(body, key, name, sizeof(name)) == NULL)
			break;
		if ((id = fake_find(name)) == NULL)
			continue;
		len += (size_t)snprintf(out + len, sizeof(out) - len,
		    "<entry><key>%s</key><value>", id->name);
		len += value(id, out + len, sizeof(out) - len);
		len += (size_t)snprintf(
		    out + len, sizeof(out) - len, "</value></entry>");
	}
	if (n - 1 > fake.max_members)
		fake.max_members = n - 1;
	snprintf(out + len, sizeof(out) - len,
	    "</%s></%sResult><ResponseMetadata><RequestId>r</RequestId>"
	    "</ResponseMetadata></%sResponse>",
	    map, action, action);
	reply(fd, 200, out);
}

static void
answer_set(int fd, const char *body)
{
	char name[64], domain[80], behavior[32];
	struct fake_id *id;

	if (form_get(body, "Identity", name, sizeof(name)) == NULL ||
	    (id = fake_find(name)) == NULL ||
	    (fake.reject_identity != NULL &&
		strcmp(name, fake.reject_identity) == 0)) {
		reply_error(fd, 400, "InvalidParameterValue");
		return;
	}
	if (form_get(body, "MailFromDomain", domain, sizeof(domain)) == NULL)
		domain[0] = '\0';
	if (form_get(body, "BehaviorOnMXFailure", behavior, sizeof(behavior)) ==
	    NULL)
		snprintf(behavior, sizeof(behavior), "UseDefaultValue");
	snprintf(id->domain, sizeof(id->domain), "%s", domain);
	snprintf(id->behavior, sizeof(id->behavior), "%s", behavior);
	snprintf(id->status, sizeof(id->status), "Pending");
	reply(fd, 200,
	    "<SetIdentityMailFromDomainResponse " NS_XML ">"
	    "<SetIdentityMailFromDomainResult/><ResponseMetadata><RequestId>r"
	    "</RequestId></ResponseMetadata></SetIdentityMailFromDomainResponse>");
}

static void
fake_serve(int fd)
{
	static char req[1 << 16];
	char action[64], *body, *cl;
	size_t len = 0, need;
	ssize_t n;

	while ((body = strstr(req, "\r\n\r\n")) == NULL || len == 0) {
		if ((n = read(fd, req + len, sizeof(req) - 1 - len)) <= 0)
			return;
		len += (size_t)n;
		req[len] = '\0';
		if ((body = strstr(req, "\r\n\r\n")) != NULL)
			break;
	}
	body += 4;
	cl = strcasestr(req, "\r\nContent-Length:");
	need = cl != NULL ? strtoul(cl + 17, NULL, 10) : 0;
	while ((size_t)(req + len - body) < need) {
		if ((n = read(fd, req + len, sizeof(req) - 1 - len)) <= 0)
			return;
		len += (size_t)n;
		req[len] = '\0';
	}
	if (form_get(body, "Action", action, sizeof(action)) == NULL)
		action[0] = '\0';
	pthread_mutex_lock(&fake.lock);
	if (strcmp(action, "SetIdentityMailFromDomain") == 0)
		fake.sets++;
	else if (strcmp(action, "GetIdentityVerificationAttributes") == 0)
		fake.verifications++;
	else
		fake.gets++;
	if (fake.fail_count > 0 &&
	    (fake.fail_action == NULL ||
		strcmp(fake.fail_action, action) == 0)) {
		fake.fail_count--;
		reply_error(fd, fake.fail_status, fake.fail_code);
	} else if (strcmp(action, "SetIdentityMailFromDomain") == 0)
		answer_set(fd, body);
	else if (strcmp(action, "GetIdentityVerificationAttributes") == 0)
		answer_attrs(fd, body, action, "VerificationAttributes",
		    verification_value);
	else
		answer_attrs(fd, body, "GetIdentityMailFromDomainAttributes",
		    "MailFromDomainAttributes", mail_from_value);
	pthread_mutex_unlock(&fake.lock);
}

static void *
fake_main(void *arg)
{
	struct pollfd pfd;
	int fd;

	(void)arg;
	pfd.fd = fake.lfd;
	pfd.events = POLLIN;
	while (!atomic_load(&fake.stop)) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		if ((fd = accept(fake.lfd, NULL, NULL)) < 0)
			continue;
		fake_serve(fd);
		close(fd);
	}
	return NULL;
}

static void
fake_start(void)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);

	fake.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fake.lfd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(
	    bind(fake.lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fake.lfd, 16), 0);
	assert_int_equal(
	    getsockname(fake.lfd, (struct sockaddr *)&sin, &slen), 0);
	fake.port = ntohs(sin.sin_port);
	snprintf(fake_url, sizeof(fake_url), "http://127.0.0.1:%d/", fake.port);
	atomic_store(&fake.stop, false);
	assert_int_equal(
	    pthread_create(&fake.thread, NULL, fake_main, NULL), 0);
}

static void
fake_stop(void)
{
	atomic_store(&fake.stop, true);
	pthread_join(fake.thread, NULL);
	close(fake.lfd);
}

/* ---- configuration, log capture ---- */

static char dir[64];

static void
ignore(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "conf: %s\n", msg);
}

/* A configuration with ENDPOINT ("": none); IDS is INI text. */
static struct conf *
make_conf_at(const char *endpoint, const char *ses_extra, const char *ids)
{
	char path[128];
	FILE *f;
	struct conf *c;

	snprintf(path, sizeof(path), "%s/test.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f,
	    "[ses]\nendpoint = %s\nrate = 100\n"
	    "state_file = %s/var/state.json\n%s\n%s",
	    endpoint, dir, ses_extra, ids);
	fclose(f);
	c = conf_load(path, ignore, NULL);
	assert_non_null(c);
	return c;
}

static struct conf *
make_conf(const char *ses_extra, const char *ids)
{
	return make_conf_at(fake_url, ses_extra, ids);
}

static char capture_path[128];
static int saved_stderr = -1;

static void
capture_start(void)
{
	int fd;

	snprintf(capture_path, sizeof(capture_path), "%s/log", dir);
	fflush(stderr);
	saved_stderr = dup(2);
	fd = open(capture_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	dup2(fd, 2);
	close(fd);
}

/* What was logged since capture_start(); the caller frees it. */
static char *
capture_end(void)
{
	FILE *f;
	char *text;
	long len;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	f = fopen(capture_path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return text;
}

static int
count_lines(const char *text, const char *needle)
{
	int n = 0;

	for (; (text = strstr(text, needle)) != NULL; text++)
		n++;
	return n;
}

static struct ses_client *client;
static struct syncpass_link conn;

static int
setup(void **state)
{
	char err[256];
	struct conf *c;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_syncer.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	fake_reset();
	ses_ratelimit_set(0);
	c = make_conf("", "");
	if (syncpass_link_open(c, NULL, &conn, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	client = conn.client;
	conf_unref(c);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	syncpass_link_close(&conn);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char four[] =
    "[identity a.test]\nmail_from_domain = bounce.a.test\n"
    "behavior_on_mx_failure = RejectMessage\n"
    "[identity b.test]\nmail_from_domain = bounce.b.test\n"
    "[identity c@x.test]\nmail_from_domain = mail.x.test\n"
    "[identity d.test]\nmail_from_domain =\n"
    "[identity gone.test]\nmail_from_domain = b.gone.test\n";

static void
seed_four(void)
{
	pthread_mutex_lock(&fake.lock);
	fake_add("a.test", "old.a.test", "UseDefaultValue", "Success");
	fake_add("b.test", "BOUNCE.b.test", "UseDefaultValue", "Success");
	fake_add("c@x.test", "", "UseDefaultValue", "");
	fake_add("d.test", "b.d.test", "RejectMessage", "Failed");
	pthread_mutex_unlock(&fake.lock);
}

static const struct syncpass_row *
row_of(const struct syncpass_report *rep, const char *name)
{
	size_t i;

	for (i = 0; i < rep->nrows; i++)
		if (strcmp(rep->rows[i].want->name, name) == 0)
			return &rep->rows[i];
	fail_msg("no row %s", name);
	return NULL;
}

static int
run_with(struct conf *c, enum syncpass_mode mode, struct state *st,
    const struct syncpass_hooks *hooks, struct syncpass_report *rep)
{
	struct syncpass p;

	memset(&p, 0, sizeof(p));
	p.client = client;
	p.conf = c;
	p.mode = mode;
	p.state = st;
	p.hooks = hooks;
	return syncpass_run(&p, rep);
}

static int
run(struct conf *c, enum syncpass_mode mode, struct state *st,
    struct syncpass_report *rep)
{
	return run_with(c, mode, st, NULL, rep);
}

/* ---- passes ---- */

static void
test_converge(void **state)
{
	struct conf *c = make_conf("", four);
	struct syncpass_report rep;
	int sets;
	char *log;

	(void)state;
	seed_four();
	capture_start();
	assert_int_equal(run(c, SYNCPASS_APPLY, NULL, &rep), 0);
	log = capture_end();
	assert_true(rep.read);
	assert_true(rep.verification_read);
	/* one Get of each kind */
	assert_int_equal(rep.get_requests, 2);
	assert_int_equal(rep.set_requests, 3);
	assert_string_equal(
	    row_of(&rep, "b.test")->ses.verification_status, "Success");
	assert_null(row_of(&rep, "gone.test")->ses.verification_status);
	assert_int_equal(row_of(&rep, "a.test")->outcome, SYNCPASS_CHANGED);
	assert_int_equal(row_of(&rep, "a.test")->diff,
	    SYNCPLAN_DIFF_DOMAIN | SYNCPLAN_DIFF_BEHAVIOR);
	assert_string_equal(
	    row_of(&rep, "a.test")->ses.mail_from_domain, "old.a.test");
	assert_int_equal(row_of(&rep, "b.test")->outcome, SYNCPASS_IN_STEP);
	assert_int_equal(row_of(&rep, "c@x.test")->outcome, SYNCPASS_CHANGED);
	/* configured off, on in SES: disabled */
	assert_int_equal(row_of(&rep, "d.test")->outcome, SYNCPASS_CHANGED);
	assert_int_equal(row_of(&rep, "gone.test")->outcome, SYNCPASS_UNKNOWN);
	assert_false(row_of(&rep, "gone.test")->known);
	syncpass_report_free(&rep);
	/* 1 Get, 3 Sets */
	assert_int_equal(fake_counts(&sets), 1);
	assert_int_equal(sets, 3);
	assert_string_equal(fake_find("a.test")->domain, "bounce.a.test");
	assert_string_equal(fake_find("a.test")->behavior, "RejectMessage");
	assert_string_equal(fake_find("c@x.test")->domain, "mail.x.test");
	assert_string_equal(fake_find("d.test")->domain, "");
	assert_non_null(strstr(log,
	    "SES: action=SetIdentityMailFromDomain "
	    "identity=a.test mail_from_domain=bounce.a.test behavior=RejectMessage "
	    "previous_mail_from_domain=old.a.test previous_behavior=UseDefaultValue "
	    "result=ok attempts=1"));
	assert_non_null(strstr(log, "identity=d.test mail_from_domain=\"\" "));
	assert_int_equal(
	    count_lines(log, "identity=gone.test result=unknown-identity"), 1);
	assert_non_null(strstr(log,
	    "SES: action=GetIdentityMailFromDomainAttributes "
	    "identities=5 first=a.test found=4 result=ok attempts=1"));
	assert_non_null(strstr(log,
	    "SES: action=GetIdentityVerificationAttributes "
	    "identities=5 first=a.test found=4 result=ok attempts=1"));
	assert_non_null(strstr(log, " unknown=1 unverified=0 "));
	free(log);

	/* converged: a second pass reads and sets nothing */
	assert_int_equal(run(c, SYNCPASS_APPLY, NULL, &rep), 0);
	assert_int_equal(rep.set_requests, 0);
	assert_int_equal(row_of(&rep, "a.test")->outcome, SYNCPASS_IN_STEP);
	assert_int_equal(row_of(&rep, "d.test")->outcome, SYNCPASS_IN_STEP);
	assert_int_equal(row_of(&rep, "gone.test")->outcome, SYNCPASS_UNKNOWN);
	syncpass_report_free(&rep);
	assert_int_equal(fake_counts(&sets), 2);
	assert_int_equal(sets, 3);
	conf_unref(c);
}

static void
test_dry_run_and_read_only(void **state)
{
	struct conf *c = make_conf("", four);
	struct syncpass_report rep;
	int sets;
	char *log;

	(void)state;
	seed_four();
	capture_start();
	assert_int_equal(run(c, SYNCPASS_DRY_RUN, NULL, &rep), 0);
	log = capture_end();
	assert_int_equal(
	    row_of(&rep, "a.test")->outcome, SYNCPASS_WOULD_CHANGE);
	assert_int_equal(row_of(&rep, "b.test")->outcome, SYNCPASS_IN_STEP);
	assert_int_equal(row_of(&rep, "gone.test")->outcome, SYNCPASS_UNKNOWN);
	syncpass_report_free(&rep);
	assert_int_equal(count_lines(log, "result=dry-run"), 3);
	assert_int_equal(count_lines(log, "result=unknown-identity"), 1);
	free(log);

	capture_start();
	assert_int_equal(run(c, SYNCPASS_READ_ONLY, NULL, &rep), 0);
	log = capture_end();
	assert_int_equal(
	    row_of(&rep, "c@x.test")->outcome, SYNCPASS_WOULD_CHANGE);
	syncpass_report_free(&rep);
	/* read-only says nothing about calls it would make */
	assert_int_equal(count_lines(log, "SetIdentityMailFromDomain"), 0);
	free(log);

	assert_int_equal(fake_counts(&sets), 2);
	assert_int_equal(sets, 0);
	assert_string_equal(fake_find("a.test")->domain, "old.a.test");
	conf_unref(c);
}

static void
test_identity_error_continues(void **state)
{
	struct conf *c = make_conf("", four);
	struct syncpass_report rep;
	int sets;

	(void)state;
	seed_four();
	fake.reject_identity = "a.test";
	assert_int_equal(run(c, SYNCPASS_APPLY, NULL, &rep), -1);
	assert_int_equal(row_of(&rep, "a.test")->outcome, SYNCPASS_FAILED);
	assert_string_equal(row_of(&rep, "a.test")->error,
	    "InvalidParameterValue: fake InvalidParameterValue");
	assert_int_equal(row_of(&rep, "c@x.test")->outcome, SYNCPASS_CHANGED);
	assert_int_equal(row_of(&rep, "d.test")->outcome, SYNCPASS_CHANGED);
	assert_non_null(strstr(rep.error, "for a.test"));
	syncpass_report_free(&rep);
	fake_counts(&sets);
	assert_int_equal(sets, 3);
	conf_unref(c);
}

static void
test_service_failure_ends_pass(void **state)
{
	struct conf *c = make_conf("", four);
	struct syncpass_report rep;
	int sets;

	(void)state;
	seed_four();
	setenv("AWS_MAX_ATTEMPTS", "2", 1);
	fake.fail_action = "SetIdentityMailFromDomain";
	fake.fail_count = 100;
	fake.fail_status = 500;
	fake.fail_code = "InternalFailure";
	assert_int_equal(run(c, SYNCPASS_APPLY, NULL, &rep), -1);
	assert_int_equal(row_of(&rep, "a.test")->outcome, SYNCPASS_FAILED);
	assert_int_equal(row_of(&rep, "a.test")->attempts, 3);
	/* the others would fail the same way: not tried */
	assert_int_equal(row_of(&rep, "c@x.test")->outcome, SYNCPASS_NOT_DONE);
	assert_int_equal(row_of(&rep, "d.test")->outcome, SYNCPASS_NOT_DONE);
	assert_int_equal(row_of(&rep, "b.test")->outcome, SYNCPASS_IN_STEP);
	assert_string_equal(rep.error, "InternalFailure: fake InternalFailure");
	syncpass_report_free(&rep);
	fake_counts(&sets);
	assert_int_equal(sets, 3);

	/* throttling left after the client's retries ends it too */
	fake_reset();
	seed_four();
	fake.fail_action = NULL;
	fake.fail_count = 100;
	fake.fail_status = 400;
	fake.fail_code = "Throttling";
	assert_int_equal(run(c, SYNCPASS_APPLY, NULL, &rep), -1);
	assert_false(rep.read);
	assert_int_equal(rep.get_requests, 3);
	assert_string_equal(rep.error, "Throttling: fake Throttling");
	assert_int_equal(row_of(&rep, "a.test")->outcome, SYNCPASS_NOT_DONE);
	syncpass_report_free(&rep);
	unsetenv("AWS_MAX_ATTEMPTS");
	conf_unref(c);
}

static void
test_batches(void **state)
{
	enum {
		N = 250
	};
	char *ini = calloc(N, 80), name[32];
	struct syncpass_report rep;
	struct conf *c;
	size_t len = 0;
	int i, sets;

	(void)state;
	assert_non_null(ini);
	pthread_mutex_lock(&fake.lock);
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "d%03d.test", i);
		len += (size_t)sprintf(ini + len,
		    "[identity %s]\n"
		    "mail_from_domain = b.%s\n",
		    name, name);
		fake_add(name, i % 50 == 0 ? "x.other.test" : "",
		    "UseDefaultValue", "Pending");
		if (i % 50 != 0)
			snprintf(fake.ids[i].domain, sizeof(fake.ids[i].domain),
			    "b.%s", name);
	}
	pthread_mutex_unlock(&fake.lock);
	c = make_conf("", ini);
	assert_int_equal(run(c, SYNCPASS_APPLY, NULL, &rep), 0);
	/* three Gets of 100 of each kind */
	assert_int_equal(rep.get_requests, 6);
	assert_int_equal(rep.set_requests, 5);
	syncpass_report_free(&rep);
	assert_int_equal(fake_counts(&sets), 3);
	assert_int_equal(fake.verifications, 3);
	assert_int_equal(sets, 5);
	assert_int_equal(fake.max_members, 100);
	conf_unref(c);
	free(ini);
}

static void
test_state_updates(void **state)
{
	struct conf *c = make_conf("", four);
	struct syncpass_report rep;
	struct state *st = state_new();
	struct state_identity *id;
	time_t before = time(NULL);
	char *log;

	(void)state;
	seed_four();
	assert_int_equal(run(c, SYNCPASS_APPLY, st, &rep), 0);
	syncpass_report_free(&rep);
	assert_true(st->last_success >= before);
	assert_null(st->last_error);
	assert_int_equal(st->nids, 5);
	id = state_find(st, "a.test");
	assert_non_null(id);
	assert_true(id->known);
	/* set: the new values; a Set restarts SES's check: Pending */
	assert_string_equal(id->ses.mail_from_domain, "bounce.a.test");
	assert_string_equal(id->ses.behavior, "RejectMessage");
	assert_string_equal(id->ses.status, "Pending");
	id = state_find(st, "b.test");
	assert_string_equal(id->ses.status, "Success");
	id = state_find(st, "gone.test");
	assert_false(id->known);
	assert_string_equal(id->last_error, "unknown to SES");
	id = state_find(st, "d.test");
	assert_null(id->ses.mail_from_domain);

	/* statuses: a change is audited once */
	pthread_mutex_lock(&fake.lock);
	snprintf(fake_find("a.test")->status, 20, "Success");
	pthread_mutex_unlock(&fake.lock);
	capture_start();
	assert_int_equal(run(c, SYNCPASS_APPLY, st, &rep), 0);
	syncpass_report_free(&rep);
	assert_int_equal(run(c, SYNCPASS_APPLY, st, &rep), 0);
	syncpass_report_free(&rep);
	log = capture_end();
	assert_int_equal(count_lines(log,
			     "SES: identity=a.test "
			     "mail_from_domain=bounce.a.test status=Success "
			     "previous_status=Pending\n"),
	    1);
	/* Pending is what the Set left; SES saying so is no change */
	assert_int_equal(
	    count_lines(log, "identity=c@x.test mail_from_domain=mail.x.test"),
	    0);
	assert_int_equal(
	    count_lines(log, "identity=b.test mail_from_domain="), 0);
	free(log);
	pthread_mutex_lock(&fake.lock);
	snprintf(fake_find("b.test")->status, 20, "TemporaryFailure");
	pthread_mutex_unlock(&fake.lock);
	capture_start();
	assert_int_equal(run(c, SYNCPASS_APPLY, st, &rep), 0);
	syncpass_report_free(&rep);
	log = capture_end();
	assert_non_null(strstr(log,
	    "SES: identity=b.test mail_from_domain=BOUNCE.b.test "
	    "status=TemporaryFailure previous_status=Success\n"));
	free(log);

	/* a failed read keeps what was known and says why */
	fake.fail_count = 100;
	fake.fail_status = 503;
	fake.fail_code = "ServiceUnavailable";
	setenv("AWS_MAX_ATTEMPTS", "1", 1);
	before = st->last_success;
	assert_int_equal(run(c, SYNCPASS_APPLY, st, &rep), -1);
	syncpass_report_free(&rep);
	unsetenv("AWS_MAX_ATTEMPTS");
	fake.fail_count = 0;
	assert_int_equal(st->last_success, before);
	assert_string_equal(
	    st->last_error, "ServiceUnavailable: fake ServiceUnavailable");
	assert_int_equal(st->nids, 5);
	assert_string_equal(state_find(st, "a.test")->ses.status, "Success");
	state_free(st);
	conf_unref(c);
}

struct mx_calls {
	int n;
	char last[64];
};

static enum mx_result
mx_hook(void *arg, const char *domain)
{
	struct mx_calls *m = arg;

	m->n++;
	snprintf(m->last, sizeof(m->last), "%s", domain);
	return strcmp(domain, "bounce.b.test") == 0 ? MX_NXDOMAIN
	    : strcmp(domain, "b.d.test") == 0       ? MX_OK
						    : MX_OK;
}

static void
test_drift(void **state)
{
	struct conf *c = make_conf("",
	    "[identity b.test]\nmail_from_domain = bounce.b.test\n"
	    "[identity d.test]\nmail_from_domain = b.d.test\n"
	    "behavior_on_mx_failure = RejectMessage\n"
	    "[identity p.test]\nmail_from_domain = b.p.test\n"
	    "[identity off.test]\nmail_from_domain =\n");
	struct mx_calls calls = { 0, "" };
	struct syncpass_hooks hooks = { .mx_check = mx_hook, .arg = &calls };
	struct syncpass_report rep;
	struct syncpass p;
	char *log;

	(void)state;
	seed_four();
	pthread_mutex_lock(&fake.lock);
	fake_add("p.test", "b.p.test", "UseDefaultValue", "Pending");
	fake_add("off.test", "", "UseDefaultValue", "");
	pthread_mutex_unlock(&fake.lock);
	memset(&p, 0, sizeof(p));
	p.client = client;
	p.conf = c;
	p.mode = SYNCPASS_APPLY;
	p.hooks = &hooks;
	capture_start();
	assert_int_equal(syncpass_run(&p, &rep), 0);
	log = capture_end();
	/* every configured domain, none for a disabled identity */
	assert_int_equal(calls.n, 3);
	assert_true(row_of(&rep, "b.test")->mx_checked);
	assert_int_equal(row_of(&rep, "b.test")->mx, MX_NXDOMAIN);
	assert_false(row_of(&rep, "off.test")->mx_checked);
	syncpass_report_free(&rep);
	/* SES Success, local failure */
	assert_non_null(strstr(log,
	    "SES: drift identity=b.test "
	    "mail_from_domain=bounce.b.test ses_status=Success mx=nxdomain"));
	/* SES Failed, local ok */
	assert_non_null(strstr(log,
	    "SES: drift identity=d.test "
	    "mail_from_domain=b.d.test ses_status=Failed mx=ok"));
	/* Pending is no disagreement */
	assert_null(strstr(log, "drift identity=p.test"));
	free(log);
	conf_unref(c);
}

/* The local MX check by name: bad.* fails, sf.* is a DNS hiccup. */
static enum mx_result
mx_by_prefix(void *arg, const char *domain)
{
	(void)arg;
	if (strncmp(domain, "bad.", 4) == 0)
		return MX_NXDOMAIN;
	return strncmp(domain, "sf.", 3) == 0 ? MX_SERVFAIL : MX_OK;
}

static int
run_hooked(struct conf *c, enum syncpass_mode mode, struct state *st,
    struct syncpass_report *rep)
{
	static const struct syncpass_hooks hooks = { .mx_check = mx_by_prefix };

	return run_with(c, mode, st, &hooks, rep);
}

/*
 * Settings in step, SES's status and the DNS decide what comes next:
 * Failed with a good MX is set again (once per interval), Failed with a
 * bad one is reported with the record, Pending and TemporaryFailure wait.
 */
static void
test_reverify(void **state)
{
	struct conf *c = make_conf("sync_interval = 1h\n",
	    "[identity f.test]\nmail_from_domain = b.f.test\n"
	    "[identity n.test]\nmail_from_domain = bad.n.test\n"
	    "[identity sf.test]\nmail_from_domain = sf.sf.test\n"
	    "[identity p.test]\nmail_from_domain = b.p.test\n"
	    "[identity t.test]\nmail_from_domain = b.t.test\n"
	    "[identity s.test]\nmail_from_domain = b.s.test\n");
	struct syncpass_report rep;
	struct state *st = state_new();
	struct state_identity *id;
	time_t before = time(NULL);
	char *log;
	int sets;

	(void)state;
	pthread_mutex_lock(&fake.lock);
	fake_add("f.test", "b.f.test", "UseDefaultValue", "Failed");
	fake_add("n.test", "bad.n.test", "UseDefaultValue", "Failed");
	fake_add("sf.test", "sf.sf.test", "UseDefaultValue", "Failed");
	fake_add("p.test", "b.p.test", "UseDefaultValue", "Pending");
	fake_add("t.test", "b.t.test", "UseDefaultValue", "TemporaryFailure");
	fake_add("s.test", "b.s.test", "UseDefaultValue", "Success");
	pthread_mutex_unlock(&fake.lock);

	/* dry-run: counted and audited, not made */
	capture_start();
	assert_int_equal(run_hooked(c, SYNCPASS_DRY_RUN, NULL, &rep), 0);
	log = capture_end();
	assert_int_equal(
	    row_of(&rep, "f.test")->outcome, SYNCPASS_WOULD_REVERIFY);
	syncpass_report_free(&rep);
	fake_counts(&sets);
	assert_int_equal(sets, 0);
	assert_non_null(strstr(log,
	    "identity=f.test mail_from_domain=b.f.test "
	    "behavior=UseDefaultValue previous_mail_from_domain=b.f.test "
	    "previous_behavior=UseDefaultValue previous_status=Failed "
	    "reason=reverify result=dry-run"));
	assert_non_null(strstr(log, "would_reverify=1"));
	free(log);

	capture_start();
	assert_int_equal(run_hooked(c, SYNCPASS_APPLY, st, &rep), 0);
	log = capture_end();
	assert_int_equal(row_of(&rep, "f.test")->outcome, SYNCPASS_REVERIFIED);
	assert_int_equal(row_of(&rep, "f.test")->next, SYNCPLAN_NEXT_REVERIFY);
	assert_int_equal(row_of(&rep, "n.test")->outcome, SYNCPASS_IN_STEP);
	assert_int_equal(row_of(&rep, "n.test")->next, SYNCPLAN_NEXT_FIX_DNS);
	assert_int_equal(row_of(&rep, "sf.test")->next, SYNCPLAN_NEXT_FIX_DNS);
	assert_int_equal(row_of(&rep, "p.test")->next, SYNCPLAN_NEXT_WAIT);
	assert_int_equal(row_of(&rep, "t.test")->next, SYNCPLAN_NEXT_WAIT);
	assert_int_equal(row_of(&rep, "s.test")->next, SYNCPLAN_NEXT_NONE);
	syncpass_report_free(&rep);
	fake_counts(&sets);
	assert_int_equal(sets, 1); /* f.test only */
	assert_non_null(strstr(log,
	    "identity=f.test mail_from_domain=b.f.test "
	    "behavior=UseDefaultValue previous_mail_from_domain=b.f.test "
	    "previous_behavior=UseDefaultValue previous_status=Failed "
	    "reason=reverify result=ok attempts=1"));
	assert_non_null(strstr(log,
	    "identity=n.test mail_from_domain=bad.n.test ses_status=Failed "
	    "mx=nxdomain next=fix-dns record=\"bad.n.test. MX 10 "
	    "feedback-smtp.us-east-1.amazonses.com.\" message=\"SES stopped "
	    "checking this MAIL FROM domain; publish the record"));
	assert_non_null(strstr(log,
	    "in_step=1 changed=0 would_change=0 reverified=1 "
	    "would_reverify=0 waiting=2 fix_dns=2"));
	free(log);
	id = state_find(st, "f.test");
	assert_string_equal(id->ses.status, "Pending");
	assert_true(id->reverified >= before);
	pthread_mutex_lock(&fake.lock);
	assert_string_equal(fake_find("f.test")->status, "Pending");
	/* SES fails it again at once: not set again within the interval */
	snprintf(fake_find("f.test")->status, 20, "Failed");
	pthread_mutex_unlock(&fake.lock);
	assert_int_equal(run_hooked(c, SYNCPASS_APPLY, st, &rep), 0);
	assert_int_equal(row_of(&rep, "f.test")->next, SYNCPLAN_NEXT_WAIT);
	syncpass_report_free(&rep);
	fake_counts(&sets);
	assert_int_equal(sets, 1);
	/* an interval later it is */
	state_find(st, "f.test")->reverified -= 3601;
	assert_int_equal(run_hooked(c, SYNCPASS_APPLY, st, &rep), 0);
	assert_int_equal(row_of(&rep, "f.test")->outcome, SYNCPASS_REVERIFIED);
	syncpass_report_free(&rep);
	fake_counts(&sets);
	assert_int_equal(sets, 2);
	/* read-only (`status`) never sets */
	pthread_mutex_lock(&fake.lock);
	snprintf(fake_find("f.test")->status, 20, "Failed");
	pthread_mutex_unlock(&fake.lock);
	assert_int_equal(run_hooked(c, SYNCPASS_READ_ONLY, NULL, &rep), 0);
	assert_int_equal(row_of(&rep, "f.test")->outcome, SYNCPASS_IN_STEP);
	assert_int_equal(row_of(&rep, "f.test")->next, SYNCPLAN_NEXT_REVERIFY);
	syncpass_report_free(&rep);
	fake_counts(&sets);
	assert_int_equal(sets, 2);
	state_free(st);
	conf_unref(c);
}

static bool
cancel_after_get(void *arg)
{
	(void)arg;
	return fake_counts(NULL) > 0;
}

static void
test_cancelled(void **state)
{
	struct conf *c = make_conf("", four);
	struct syncpass_report rep;
	struct syncpass p;
	int sets;

	(void)state;
	seed_four();
	memset(&p, 0, sizeof(p));
	p.client = client;
	p.conf = c;
	p.cancelled = cancel_after_get;
	assert_int_equal(syncpass_run(&p, &rep), -1);
	assert_string_equal(rep.error, "stopped");
	assert_int_equal(row_of(&rep, "a.test")->outcome, SYNCPASS_NOT_DONE);
	syncpass_report_free(&rep);
	fake_counts(&sets);
	assert_int_equal(sets, 0);
	conf_unref(c);
}

static void
test_no_identities(void **state)
{
	struct conf *c = make_conf("", "");
	struct syncpass_report rep;

	(void)state;
	assert_int_equal(run(c, SYNCPASS_APPLY, NULL, &rep), 0);
	assert_int_equal(rep.nrows, 0);
	syncpass_report_free(&rep);
	assert_int_equal(fake_counts(NULL), 0);
	conf_unref(c);
}

static void
test_link(void **state)
{
	struct conf *c =
	    make_conf("", "[identity b.test]\nmail_from_domain =\n");
	struct conf *bare =
	    make_conf_at("", "", "[identity b.test]\nmail_from_domain =\n");
	struct syncpass_client_opts o;
	struct syncpass_report rep;
	struct syncpass p;
	struct syncpass_link l;
	char err[256];

	(void)state;
	memset(&o, 0, sizeof(o));
	o.region = "bad region";
	assert_int_equal(syncpass_link_open(c, &o, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "region"));
	o.region = NULL;
	o.endpoint_url = "ftp://x";
	assert_int_equal(syncpass_link_open(c, &o, &l, err, sizeof(err)), -1);

	/* [ses] endpoint wins over the environment's */
	setenv("AWS_ENDPOINT_URL_SES", "http://127.0.0.1:1/", 1);
	memset(&p, 0, sizeof(p));
	p.conf = c;
	assert_int_equal(syncpass_link_open(c, NULL, &l, err, sizeof(err)), 0);
	p.client = l.client;
	assert_int_equal(syncpass_run(&p, &rep), 0);
	syncpass_report_free(&rep);
	syncpass_link_close(&l);
	/* without one, the environment's */
	setenv("AWS_ENDPOINT_URL_SES", fake_url, 1);
	p.conf = bare;
	assert_int_equal(
	    syncpass_link_open(bare, NULL, &l, err, sizeof(err)), 0);
	p.client = l.client;
	assert_int_equal(syncpass_run(&p, &rep), 0);
	syncpass_report_free(&rep);
	syncpass_link_close(&l);
	unsetenv("AWS_ENDPOINT_URL_SES");
	assert_int_equal(fake_counts(NULL), 2);
	conf_unref(c);
	conf_unref(bare);
}

/* ---- the thread ---- */

static bool
wait_until(int gets, int sets, double seconds)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	int g, s, i;

	for (i = 0; i < seconds * 50; i++) {
		g = fake_counts(&s);
		if (g >= gets && s >= sets)
			return true;
		nanosleep(&pause, NULL);
	}
	return false;
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_thread(void **state)
{
	struct conf *c = make_conf("sync_interval = 1h\n", four), *c2;
	struct syncer *s;
	char err[256], path[128];
	struct state *st;
	double t;
	int sets;

	(void)state;
	seed_four();
	s = syncer_start(c, NULL, err, sizeof(err));
	assert_non_null(s);
	assert_true(wait_until(1, 3, 10));
	/* a reload runs a pass under the new configuration */
	c2 = make_conf("sync_interval = 1h\n",
	    "[identity a.test]\nmail_from_domain = new.a.test\n");
	syncer_reload(s, c2);
	assert_true(wait_until(2, 4, 10));
	assert_string_equal(fake_find("a.test")->domain, "new.a.test");
	/* prompt stop while waiting for the next interval */
	t = mono();
	syncer_stop(s);
	assert_true(mono() - t < 1.0);

	snprintf(path, sizeof(path), "%s/var/state.json", dir);
	st = state_load(path);
	assert_non_null(st);
	assert_true(st->last_success > 0);
	assert_int_equal(st->nids, 1);
	state_free(st);

	/* a restart within the interval, nothing new asked: no request */
	s = syncer_start(c2, NULL, err, sizeof(err));
	assert_non_null(s);
	assert_false(wait_until(3, 0, 0.5));
	syncer_stop(s);
	/* a configuration asking for more than the state knows: at once */
	s = syncer_start(c, NULL, err, sizeof(err));
	assert_true(wait_until(3, 5, 10));
	syncer_stop(s);
	fake_counts(&sets);
	assert_int_equal(sets, 5);
	conf_unref(c);
	conf_unref(c2);
}

static void
test_thread_backoff_and_dry_run(void **state)
{
	struct conf *c =
	    make_conf("sync_interval = 1s\nsync = dry-run\n", four);
	struct conf *c2 = make_conf("sync_interval = 1s\nsync = no\n", four);
	struct syncer *s;
	char err[256];
	int gets, sets;

	(void)state;
	seed_four();
	setenv("AWS_MAX_ATTEMPTS", "1", 1);
	fake.fail_count = 2;
	fake.fail_status = 500;
	fake.fail_code = "InternalFailure";
	s = syncer_start(c, NULL, err, sizeof(err));
	assert_non_null(s);
	/* two failed passes, then good ones, a second (the interval) apart */
	assert_true(wait_until(4, 0, 10));
	/* sync = no by reload: the thread idles */
	syncer_reload(s, c2);
	gets = fake_counts(&sets);
	assert_false(wait_until(gets + 2, 0, 2.5));
	syncer_stop(s);
	fake_counts(&sets);
	assert_int_equal(sets, 0);
	unsetenv("AWS_MAX_ATTEMPTS");
	conf_unref(c);
	conf_unref(c2);
}

static int
group_setup(void **state)
{
	(void)state;
	setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
	setenv("AWS_SECRET_ACCESS_KEY",
	    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
	setenv("SES_RETRY_BASE_MS", "1", 1);
	unsetenv("AWS_ENDPOINT_URL_SES");
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_MAX_ATTEMPTS");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	log_init("test_syncer", LOG_MAIL, true);
	fake_start();
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	fake_stop();
	curl_global_cleanup();
	return 0;
}

/*
 * SES has not verified some identities: each is reported once per pass
 * (not by a read-only pass), never in step; the Sets still go ahead, and
 * a Failed MAIL FROM of an unverified identity is not re-verified yet.
 */
static void
test_unverified(void **state)
{
	struct conf *c = make_conf("",
	    "[identity ok.test]\nmail_from_domain = b.ok.test\n"
	    "[identity p.test]\nmail_from_domain = b.p.test\n"
	    "[identity tf.test]\nmail_from_domain = b.tf.test\n"
	    "[identity f.test]\nmail_from_domain = b.f.test\n"
	    "[identity ns@x.test]\nmail_from_domain =\n"
	    "[identity set.test]\nmail_from_domain = new.set.test\n");
	struct syncpass_report rep;
	char *log;
	int sets;

	(void)state;
	pthread_mutex_lock(&fake.lock);
	fake_add("ok.test", "b.ok.test", "UseDefaultValue", "Success");
	fake_add("p.test", "b.p.test", "UseDefaultValue", "Success");
	fake_add("tf.test", "b.tf.test", "UseDefaultValue", "Pending");
	fake_add("f.test", "b.f.test", "UseDefaultValue", "Failed");
	fake_add("ns@x.test", "", "UseDefaultValue", "");
	fake_add("set.test", "old.set.test", "UseDefaultValue", "Success");
	snprintf(fake_find("p.test")->verification, 20, "Pending");
	snprintf(fake_find("tf.test")->verification, 20, "TemporaryFailure");
	snprintf(fake_find("f.test")->verification, 20, "Failed");
	snprintf(fake_find("ns@x.test")->verification, 20, "NotStarted");
	snprintf(fake_find("set.test")->verification, 20, "Pending");
	pthread_mutex_unlock(&fake.lock);

	capture_start();
	assert_int_equal(run_hooked(c, SYNCPASS_APPLY, NULL, &rep), 0);
	log = capture_end();
	assert_int_equal(row_of(&rep, "ok.test")->next, SYNCPLAN_NEXT_NONE);
	assert_false(syncpass_row_unverified(row_of(&rep, "ok.test")));
	assert_int_equal(
	    row_of(&rep, "p.test")->next, SYNCPLAN_NEXT_VERIFY_WAIT);
	assert_string_equal(
	    row_of(&rep, "p.test")->ses.verification_status, "Pending");
	assert_int_equal(
	    row_of(&rep, "tf.test")->next, SYNCPLAN_NEXT_VERIFY_WAIT);
	assert_int_equal(row_of(&rep, "f.test")->next, SYNCPLAN_NEXT_VERIFY);
	/* not re-verified although its MX checks out: no use yet */
	assert_int_equal(row_of(&rep, "f.test")->outcome, SYNCPASS_IN_STEP);
	assert_int_equal(row_of(&rep, "ns@x.test")->next, SYNCPLAN_NEXT_VERIFY);
	assert_int_equal(row_of(&rep, "set.test")->outcome, SYNCPASS_CHANGED);
	assert_int_equal(
	    row_of(&rep, "set.test")->next, SYNCPLAN_NEXT_VERIFY_WAIT);
	assert_true(syncpass_row_unverified(row_of(&rep, "set.test")));
	syncpass_report_free(&rep);
	fake_counts(&sets);
	assert_int_equal(sets, 1);
	assert_string_equal(fake_find("set.test")->domain, "new.set.test");
	assert_int_equal(
	    count_lines(log, "SES has not verified this identity"), 5);
	assert_non_null(strstr(log,
	    "SES: identity=p.test verification=Pending "
	    "next=wait-verification message=\"SES has not verified this identity "
	    "and refuses to send from it until it has; SES is still "
	    "checking\""));
	assert_non_null(strstr(log,
	    "SES: identity=f.test verification=Failed next=verify-identity "
	    "message=\""));
	assert_non_null(strstr(log,
	    "SES: identity=ns@x.test verification=NotStarted "
	    "next=verify-identity message=\""));
	assert_non_null(strstr(log, " in_step=1 "));
	assert_non_null(strstr(log, " unverified=5 "));
	free(log);

	/* a read-only pass (`ses-mailfrom status`) reports, logs nothing */
	capture_start();
	assert_int_equal(run_hooked(c, SYNCPASS_READ_ONLY, NULL, &rep), 0);
	log = capture_end();
	assert_int_equal(row_of(&rep, "f.test")->next, SYNCPLAN_NEXT_VERIFY);
	syncpass_report_free(&rep);
	assert_int_equal(
	    count_lines(log, "SES has not verified this identity"), 0);
	free(log);
	conf_unref(c);
}

/*
 * The verification cannot be read (a policy without
 * ses:GetIdentityVerificationAttributes): the MAIL FROM settings are
 * still made, and the pass fails saying why.
 */
static void
test_verification_unreadable(void **state)
{
	struct conf *c = make_conf("", four);
	struct syncpass_report rep;
	int sets;

	(void)state;
	seed_four();
	fake.fail_action = "GetIdentityVerificationAttributes";
	fake.fail_count = 100;
	fake.fail_status = 403;
	fake.fail_code = "AccessDenied";
	assert_int_equal(run(c, SYNCPASS_APPLY, NULL, &rep), -1);
	assert_true(rep.read);
	assert_false(rep.verification_read);
	assert_string_equal(rep.error,
	    "identity verification not read: AccessDenied: fake AccessDenied");
	assert_int_equal(row_of(&rep, "a.test")->outcome, SYNCPASS_CHANGED);
	assert_int_equal(row_of(&rep, "b.test")->outcome, SYNCPASS_IN_STEP);
	assert_null(row_of(&rep, "b.test")->ses.verification_status);
	syncpass_report_free(&rep);
	fake_counts(&sets);
	assert_int_equal(sets, 3);
	assert_int_equal(fake.verifications, 1);
	conf_unref(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_converge, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_dry_run_and_read_only, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_identity_error_continues, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_service_failure_ends_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_state_updates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reverify, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_unverified, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_verification_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drift, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_cancelled, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_no_identities, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_thread_backoff_and_dry_run, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
