/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ses-mailfrom-milter: keeps Amazon SES custom MAIL FROM settings in step
 * with a configuration file and applies BehaviorOnMXFailure at MAIL FROM.
 * This file is start-up, reload and shutdown; the work is in the modules.
 */
#include <ares.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <libmilter/mfapi.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "milter/conf.h"
#include "milter/confreap.h"
#include "milter/daemon.h"
#include "milter/filter.h"
#include "milter/log.h"
#include "milter/metrics.h"
#include "milter/nocore.h"
#include "milter/notify.h"
#include "milter/dns/resolver.h"
#include "milter/sync/syncer.h"

#define PROGNAME "ses-mailfrom-milter"
/*
 * How long the queued log lines may take to be written at exit, even when
 * the syslog reader has stopped (the lines are then lost, as they would
 * be anyway). SIGTERM must end the daemon within 2 s: this, plus at most
 * the synchroniser's SYNCER_STOP_WAIT_MS and libmilter's own stop, must
 * stay below that.
 */
#define LOG_DRAIN_MS 500

/* What the command line overrides, re-applied to every reloaded file. */
static const char *opt_socket;
static const char *opt_user;
static const char *conf_path = CONF_DEFAULT_PATH;
static pthread_t reload_thread;
static char sockpath_buf[128]; /* the unix socket */
static const char *sockpath;
/* Where the shutdown knock (knock_main) connects; knock_len 0: nowhere. */
static struct sockaddr_storage knock_ss;
static socklen_t knock_len;
static struct syncer *syncer; /* NULL while [ses] sync = no */

/* What systemd's STATUS line says; the syncer's thread updates the pass. */
static pthread_mutex_t status_lock = PTHREAD_MUTEX_INITIALIZER;
static size_t status_identities;
static const char *status_sync = "no";
static time_t status_last_pass;
static char status_last_error[512]; /* syncpass_report.error */

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: %s [-fnVh] [-c FILE] [-p SOCKET] [-u USER[:GROUP]] [-P PIDFILE]\n"
	    "  -c FILE   configuration (default %s)\n"
	    "  -n        check the configuration and exit (0 valid, 78 invalid)\n"
	    "  -f        stay in the foreground and log to stderr too\n"
	    "  -p SOCKET socket, overriding [milter] socket\n"
	    "             (unix:/path, inet:PORT@HOST, inet6:PORT@HOST)\n"
	    "  -u USER[:GROUP] run as this user, overriding [milter] user\n"
	    "  -P PIDFILE write the daemon's pid here\n"
	    "  -V        print the version and the library versions\n"
	    "  -h        this help\n"
	    "Signals: SIGUSR1 reloads the configuration; SIGTERM stops.\n",
	    PROGNAME, CONF_DEFAULT_PATH);
}

static void
version(void)
{
	unsigned int maj, min, pl;
	const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);

	smfi_version(&maj, &min, &pl);
	printf("%s %s\n", PROGNAME, VERSION);
	printf("libmilter %u.%u.%u\n", maj, min, pl);
	printf("libcurl %s (%s)\n", cv->version,
	    cv->ssl_version ? cv->ssl_version : "no TLS");
	printf("%s\n", OpenSSL_version(OPENSSL_VERSION));
	printf("c-ares %s\n", ares_version(NULL));
	printf("jansson %s\n", jansson_version_str());
}

static void
report_stderr(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "%s\n", msg);
}

static void
report_log(void *arg, const char *msg)
{
	(void)arg;
	log_warnx("%s", msg);
}

/* Loads the file and applies the command-line overrides to it. */
static struct conf *
load(conf_report_fn report)
{
	struct conf *c = conf_load(conf_path, report, NULL);
	char *s;

	if (c == NULL)
		return NULL;
	if (opt_socket != NULL) {
		if ((s = strdup(opt_socket)) == NULL) {
			conf_unref(c);
			return NULL;
		}
		free(c->socket);
		c->socket = s;
	}
	if (opt_user != NULL) {
		if ((s = strdup(opt_user)) == NULL) {
			conf_unref(c);
			return NULL;
		}
		free(c->user);
		c->user = s;
	}
	return c;
}

static struct resolver *
resolver_for(const struct conf *c)
{
	struct resolver_opts o = {
		.servers = c->dns_servers,
		.timeout_ms = c->dns_timeout_ms,
		.tries = c->dns_tries,
		.min_ttl = c->dns_min_ttl,
		.max_ttl = c->dns_max_ttl,
	};
	struct resolver *r;
	char err[256];

	if ((r = resolver_start(&o, err, sizeof(err))) == NULL)
		log_warnx("%s: [dns]: %s", c->path, err);
	return r;
}

static bool
same_dns(const struct conf *a, const struct conf *b)
{
	return strcmp(a->dns_servers, b->dns_servers) == 0 &&
	    a->dns_timeout_ms == b->dns_timeout_ms &&
	    a->dns_tries == b->dns_tries && a->dns_min_ttl == b->dns_min_ttl &&
	    a->dns_max_ttl == b->dns_max_ttl;
}

/*
 * The synchroniser's local MX check: the milter's own verdict, on the
 * running resolver and expected_mx (references only, as a message takes).
 */
static enum mx_result
sync_mx_check(void *arg, const char *domain)
{
	struct conf *c;
	struct resolver *r;
	enum mx_result m;

	(void)arg;
	filter_get_runtime(&c, &r);
	m = resolver_mx(r, domain, c->expected_mx, NULL, NULL);
	resolver_unref(r);
	conf_unref(c);
	return m;
}

/* At shutdown: MX checks still waiting end at once (MX_TIMEOUT). */
static void
resolver_stop_waiting_now(void)
{
	struct conf *c;
	struct resolver *r;

	filter_get_runtime(&c, &r);
	if (r != NULL)
		resolver_stop_waiting(r);
	resolver_unref(r);
	conf_unref(c);
}

static void
status_send(bool ready)
{
	char buf[256];

	pthread_mutex_lock(&status_lock);
	notify_summary(buf, sizeof(buf), status_identities, status_sync,
	    status_last_pass,
	    status_last_error[0] != '\0' ? status_last_error : NULL);
	pthread_mutex_unlock(&status_lock);
	if (ready)
		notify_ready(buf);
	else
		notify_status(buf);
}

static void
status_conf(const struct conf *c)
{
	pthread_mutex_lock(&status_lock);
	status_identities = c->nidentities;
	status_sync = c->sync == CONF_SYNC_NO ? "no"
	    : c->sync == CONF_SYNC_DRY_RUN    ? "dry-run"
					      : "yes";
	pthread_mutex_unlock(&status_lock);
}

/* The identities per SES status, as the pass read them. */
static void
sync_count_identities(const struct syncpass_report *rep)
{
	unsigned long n[METRICS_NSTATUSES] = { 0 };
	size_t i;

	for (i = 0; i < rep->nrows; i++)
		n[metrics_status_of(
		    rep->rows[i].known ? rep->rows[i].ses.status : NULL)]++;
	metrics_identities(n);
}

static void
sync_pass_done(void *arg, int rc, const struct syncpass_report *rep)
{
	(void)arg;
	metrics_sync_pass(rc == 0, time(NULL));
	if (rep->read)
		sync_count_identities(rep);
	pthread_mutex_lock(&status_lock);
	status_last_pass = time(NULL);
	snprintf(status_last_error, sizeof(status_last_error), "%s",
	    rc == 0                   ? ""
		: rep->no_credentials ? "no AWS credentials"
				      : rep->error);
	pthread_mutex_unlock(&status_lock);
	status_send(false);
}

/* The synchroniser's SES status snapshot, for the milter threads. */
static void
sync_publish(void *arg, struct sesstatus *snap)
{
	(void)arg;
	filter_set_sesstatus(snap);
}

/* A failure to start is logged, not fatal: mail does not need SES. */
static void
sync_start(struct conf *c)
{
	static const struct syncpass_hooks hooks = {
		.mx_check = sync_mx_check,
		.pass_done = sync_pass_done,
		.publish = sync_publish,
	};
	char err[256];

	if ((syncer = syncer_start(c, &hooks, err, sizeof(err))) == NULL)
		log_warnx("SES synchroniser: %s", err);
}

static void
sync_reload(struct conf *next)
{
	if (syncer != NULL)
		syncer_reload(syncer, next);
	else if (next->sync != CONF_SYNC_NO)
		sync_start(next);
}

static void
reload(void)
{
	struct conf *next, *cur;
	struct resolver *res;

	if ((next = load(report_log)) == NULL) {
		log_warnx(
		    "reload of %s failed; keeping the running configuration",
		    conf_path);
		return;
	}
	filter_get_runtime(&cur, &res);
	/* The cache survives a reload unless the DNS settings changed. */
	if (!same_dns(cur, next)) {
		resolver_unref(res);
		if ((res = resolver_for(next)) == NULL) {
			log_warnx(
			    "reload of %s failed; keeping the running configuration",
			    conf_path);
			conf_unref(cur);
			conf_unref(next);
			return;
		}
	}
	/* The socket is open and root is gone: these only change on restart. */
	if (strcmp(cur->socket, next->socket) != 0 ||
	    strcmp(cur->user, next->user) != 0)
		log_warnx(
		    "socket and user changes take effect at the next restart");
	if (cur->syslog_facility != next->syslog_facility)
		log_set_facility(next->syslog_facility);
	conf_unref(cur);
	log_info("configuration reloaded from %s: %zu identities", conf_path,
	    next->nidentities);
	status_conf(next);
	metrics_configure(next->metrics_file, next->metrics_interval);
	sync_reload(next);
	filter_set_runtime(next, res);
}

/*
 * smfi_stop() waits for a lock libmilter's listener holds across its
 * poll(), which only times out every 5 seconds; a connection to the socket
 * wakes it. So a short-lived thread knocks on the socket every 50 ms until
 * smfi_stop() has returned.
 */
static atomic_bool stopping_done;

static void *
knock_main(void *arg)
{
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	int fd, i;

	(void)arg;
	for (i = 0; i < 100 && !atomic_load(&stopping_done); i++) {
		if ((fd = socket(knock_ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC,
			 0)) < 0)
			break;
		(void)connect(fd, (struct sockaddr *)&knock_ss, knock_len);
		close(fd);
		nanosleep(&pause, NULL);
	}
	return NULL;
}

/* Once, whichever of the two signal threads stops the daemon first. */
static void
stopping(void)
{
	static atomic_bool told;

	if (!atomic_exchange(&told, true))
		notify_stopping();
}

static void
stop_now(void)
{
	pthread_t knocker;
	bool knocking;

	stopping();
	knocking = knock_len != 0 &&
	    pthread_create(&knocker, NULL, knock_main, NULL) == 0;
	smfi_stop();
	atomic_store(&stopping_done, true);
	if (knocking)
		pthread_join(knocker, NULL);
}

/*
 * libmilter's own signal thread stops the filter on SIGHUP, SIGINT and
 * SIGTERM, so reload uses SIGUSR1 (as OpenDKIM does). This thread waits
 * for the stop signals too: whichever of the two threads the kernel hands
 * a stop signal to, the filter stops, and promptly when it is this one.
 * SIGUSR2 ends this thread at shutdown, when main() sends it; one from
 * outside (blocked and pending since start-up) is ignored.
 */
static atomic_bool signal_thread_end;

static void *
signal_main(void *arg)
{
	sigset_t *set = arg;
	int sig;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		switch (sig) {
		case SIGUSR1:
			/* READY=1 again whether or not the new file was taken */
			notify_reloading();
			reload();
			status_send(true);
			break;
		case SIGUSR2:
			if (atomic_load(&signal_thread_end))
				return NULL;
			break;
		default:
			log_info("signal %d: stopping", sig);
			stop_now();
			break;
		}
	}
}

int
main(int argc, char *argv[])
{
	static sigset_t sigs;
	struct account user;
	struct conf *conf;
	struct resolver *res;
	const char *why;
	const char *pidfile = NULL;
	struct daemon_pidfile pf = { .dirfd = -1, .fd = -1 };
	char why_buf[512];
	bool check_only = false, foreground = false;
	int ch, sockdir = -1, rc;

	/*
	 * Before anything that can take time or read a secret: a crash
	 * must not write the AWS keys to a core file, and a reload or stop
	 * signal sent during start-up waits for the signal threads instead
	 * of killing the process (its default action). Every thread
	 * inherits the mask. libmilter's signal thread waits for HUP, INT
	 * and TERM, but it blocks them only in threads made after
	 * smfi_main(): blocked here, the kernel cannot hand SIGTERM to
	 * another thread and kill the process without a clean shutdown.
	 */
	if (!nocore_apply()) {
		fprintf(stderr, "%s: cannot disable core dumps: %s\n", PROGNAME,
		    strerror(errno));
		return EX_OSERR;
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	while ((ch = getopt(argc, argv, "c:fnp:u:P:Vh")) != -1) {
		switch (ch) {
		case 'c':
			conf_path = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 'n':
			check_only = true;
			break;
		case 'p':
			if (!conf_parse_socket(optarg, &why)) {
				fprintf(stderr, "%s: -p %s: %s\n", PROGNAME,
				    optarg, why);
				return EX_USAGE;
			}
			opt_socket = optarg;
			break;
		case 'u':
			opt_user = optarg;
			break;
		case 'P':
			pidfile = optarg;
			break;
		case 'V':
			version();
			return EX_OK;
		case 'h':
			usage(stdout);
			return EX_OK;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}

	if ((conf = load(report_stderr)) == NULL)
		return EX_CONFIG;
	if (!account_lookup(conf->user, &user, &why)) {
		fprintf(
		    stderr, "%s: user '%s': %s\n", PROGNAME, conf->user, why);
		conf_unref(conf);
		return opt_user != NULL ? EX_USAGE : EX_CONFIG;
	}
	/*
	 * Root parses DNS, XML and HTTP only when told to in so many words.
	 * -n applies the same rule: a file this start would refuse is not
	 * a valid configuration for the account checking it.
	 */
	if (geteuid() == 0 && !user.set) {
		fprintf(stderr,
		    "%s: %s: refusing to run as root without [milter] user: "
		    "set user = ses-mailfrom (or another service account, "
		    "or -u USER); user = root runs as root on purpose\n",
		    PROGNAME, conf_path);
		conf_unref(conf);
		return EX_CONFIG;
	}
	if (check_only) {
		conf_unref(conf);
		return EX_OK;
	}

	log_init(PROGNAME, conf->syslog_facility, foreground);
	if (user.set && user.uid == 0)
		log_warnx(
		    "running as root (user = %s): the filter parses DNS, "
		    "XML and HTTP answers with every privilege; a service "
		    "account is safer",
		    user.name);
	/* Neither is thread-safe at initialisation: do it before any thread. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
		log_warnx("cannot initialise libcurl or c-ares");
		conf_unref(conf);
		return EX_SOFTWARE;
	}
	signal(SIGPIPE, SIG_IGN);
	/* Opened as root: systemd's socket need not be reachable later. */
	if (!notify_open()) {
		conf_unref(conf);
		return EX_OSERR;
	}

	/* Copied: a reload frees the configuration this points into. */
	if ((sockpath = daemon_socket_path(conf->socket)) != NULL) {
		snprintf(sockpath_buf, sizeof(sockpath_buf), "%s", sockpath);
		sockpath = sockpath_buf;
	}
	if (sockpath != NULL &&
	    (sockdir = daemon_socket_prepare(sockpath, &user)) < 0) {
		conf_unref(conf);
		return EX_UNAVAILABLE;
	}
	/* The dropped user writes the state file; root only makes its home. */
	if (conf->sync != CONF_SYNC_NO &&
	    !daemon_state_dir(conf->state_file, &user)) {
		conf_unref(conf);
		return EX_CANTCREAT;
	}
	if (pidfile != NULL && !daemon_pidfile_open(&pf, pidfile)) {
		conf_unref(conf);
		return EX_CANTCREAT;
	}
	umask(conf->umask);
	if (smfi_setconn(conf->socket) == MI_FAILURE ||
	    smfi_register(filter_desc) == MI_FAILURE ||
	    smfi_opensocket(false) == MI_FAILURE) {
		log_warnx("cannot listen on %s", conf->socket);
		conf_unref(conf);
		return EX_UNAVAILABLE;
	}
	/* Resolved now: at shutdown a name lookup could take its time. */
	if (!daemon_knock_addr(conf->socket, &knock_ss, &knock_len))
		knock_len = 0; /* libmilter notices the stop within 5 s */
	if (sockpath != NULL) {
		if (!daemon_socket_chown(sockdir, sockpath, &user)) {
			conf_unref(conf);
			return EX_NOPERM;
		}
		close(sockdir);
	}
	/* Only now that the socket listens: the pid is that of a filter. */
	if (!foreground) {
		if (!daemon_detach(&pf))
			return EX_OSERR;
	} else if (!daemon_pidfile_write(&pf, getpid()))
		return EX_CANTCREAT;
	if (!daemon_drop_privileges(&user)) {
		conf_unref(conf);
		return EX_NOPERM;
	}

	/* Threads do not survive fork(): they all start after detaching. */
	log_start();
	confreap_start();
	metrics_start(conf->metrics_file, conf->metrics_interval);
	if ((res = resolver_for(conf)) == NULL) {
		conf_unref(conf);
		log_stop(LOG_DRAIN_MS);
		return EX_CONFIG;
	}
	filter_set_runtime(conf_ref(conf), res);
	/* Before the syncer, whose first pass may end at once. */
	status_conf(conf);
	/*
	 * As the final user, who reads the AWS files: an MFA profile would
	 * fail every pass, nobody being there to type the code.
	 */
	if (conf->sync != CONF_SYNC_NO &&
	    syncer_check_profile(conf, why_buf, sizeof(why_buf)) == -1) {
		log_warnx("[ses] profile: %s", why_buf);
		conf_unref(conf);
		log_stop(LOG_DRAIN_MS); /* the line is queued: write it */
		return EX_CONFIG;
	}
	/* After the resolver (its MX checks) and as the final user (its state file). */
	if (conf->sync != CONF_SYNC_NO)
		sync_start(conf);
	if ((errno = pthread_create(
		 &reload_thread, NULL, signal_main, &sigs)) != 0) {
		log_warn("pthread_create");
		conf_unref(conf);
		log_stop(LOG_DRAIN_MS);
		return EX_OSERR;
	}

	log_info("starting %s %s on %s (%zu identities)", PROGNAME, VERSION,
	    conf->socket, conf->nidentities);
	conf_unref(conf);
	/* smfi_opensocket() listens already: a client connecting now waits
	 * in the backlog until smfi_main() accepts it. */
	status_send(true);
	rc = smfi_main() == MI_SUCCESS ? EX_OK : EX_SOFTWARE;
	stopping();

	atomic_store(&signal_thread_end, true);
	pthread_kill(reload_thread, SIGUSR2);
	pthread_join(reload_thread, NULL);
	/* The synchroniser's MX check must not wait for a DNS server now. */
	resolver_stop_waiting_now();
	/* The reload thread is gone: nothing else touches the syncer now. */
	syncer_stop(syncer);
	metrics_stop(); /* a last write, with every message counted */
	/*
	 * After the drop the socket's directory is root's alone: the socket
	 * stays, and the next start removes it as stale. Postfix finds no
	 * listener either way.
	 */
	if (sockpath != NULL && unlink(sockpath) != 0) {
		if (errno == EACCES || errno == EPERM)
			log_info("%s stays until the next start removes it",
			    sockpath);
		else if (errno != ENOENT)
			log_warn("cannot remove %s", sockpath);
	}
	daemon_pidfile_remove(&pf, pidfile);
	log_info("stopped");
	filter_set_runtime(NULL, NULL);
	filter_set_sesstatus(NULL);
	confreap_stop();
	curl_global_cleanup();
	ares_library_cleanup();
	notify_close();
	log_stop(LOG_DRAIN_MS);
	return rc;
}
