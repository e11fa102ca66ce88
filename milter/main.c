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
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "milter/conf.h"
#include "milter/daemon.h"
#include "milter/filter.h"
#include "milter/log.h"

#define PROGNAME "ses-mailfrom-milter"

/* What the command line overrides, re-applied to every reloaded file. */
static const char *opt_socket;
static const char *opt_user;
static const char *conf_path = CONF_DEFAULT_PATH;
static pthread_t reload_thread;

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
	printf("libcurl %s (%s)\n", cv->version, cv->ssl_version ? cv->ssl_version : "no TLS");
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

static void
reload(void)
{
	struct conf *next, *cur;

	if ((next = load(report_log)) == NULL) {
		log_warnx("reload of %s failed; keeping the running configuration", conf_path);
		return;
	}
	cur = filter_get_conf();
	/* The socket is open and root is gone: these only change on restart. */
	if (strcmp(cur->socket, next->socket) != 0 || strcmp(cur->user, next->user) != 0)
		log_warnx("socket and user changes take effect at the next restart");
	if (cur->syslog_facility != next->syslog_facility)
		log_set_facility(next->syslog_facility);
	conf_unref(cur);
	log_info("configuration reloaded from %s: %zu identities", conf_path,
	    next->nidentities);
	filter_set_conf(next);
}

/*
 * libmilter's own signal thread stops the filter on SIGHUP, SIGINT and
 * SIGTERM, so reload uses SIGUSR1 (as OpenDKIM does). SIGUSR2 is only sent
 * by main() to end this thread at shutdown.
 */
static void *
reload_main(void *arg)
{
	sigset_t *set = arg;
	int sig;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig == SIGUSR2)
			return NULL;
		reload();
	}
}

int
main(int argc, char *argv[])
{
	static sigset_t sigs;
	struct daemon_user user;
	struct conf *conf;
	const char *why, *sockpath;
	char sockbuf[128];
	const char *pidfile = NULL;
	bool check_only = false, foreground = false;
	int ch, pidfd = -1, rc;

	while ((ch = getopt(argc, argv, "c:fnp:u:P:Vh")) != -1) {
		switch (ch) {
		case 'c': conf_path = optarg; break;
		case 'f': foreground = true; break;
		case 'n': check_only = true; break;
		case 'p':
			if (!conf_parse_socket(optarg, &why)) {
				fprintf(stderr, "%s: -p %s: %s\n", PROGNAME, optarg, why);
				return EX_USAGE;
			}
			opt_socket = optarg;
			break;
		case 'u': opt_user = optarg; break;
		case 'P': pidfile = optarg; break;
		case 'V': version(); return EX_OK;
		case 'h': usage(stdout); return EX_OK;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}

	if ((conf = load(report_stderr)) == NULL)
		return EX_CONFIG;
	if (!daemon_user_lookup(conf->user, &user, &why)) {
		fprintf(stderr, "%s: user '%s': %s\n", PROGNAME, conf->user, why);
		conf_unref(conf);
		return opt_user != NULL ? EX_USAGE : EX_CONFIG;
	}
	if (check_only) {
		conf_unref(conf);
		return EX_OK;
	}

	log_init(PROGNAME, conf->syslog_facility, foreground);
	/* Neither is thread-safe at initialisation: do it before any thread. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
		log_warnx("cannot initialise libcurl or c-ares");
		conf_unref(conf);
		return EX_SOFTWARE;
	}
	signal(SIGPIPE, SIG_IGN);

	/* Copied: a reload frees the configuration this points into. */
	if ((sockpath = daemon_socket_path(conf->socket)) != NULL) {
		snprintf(sockbuf, sizeof(sockbuf), "%s", sockpath);
		sockpath = sockbuf;
	}
	if (sockpath != NULL && !daemon_socket_prepare(sockpath, &user)) {
		conf_unref(conf);
		return EX_UNAVAILABLE;
	}
	if (pidfile != NULL && (pidfd = daemon_pidfile_open(pidfile)) < 0) {
		conf_unref(conf);
		return EX_CANTCREAT;
	}
	umask(conf->umask);
	filter_set_conf(conf_ref(conf));
	if (smfi_setconn(conf->socket) == MI_FAILURE ||
	    smfi_register(filter_desc) == MI_FAILURE ||
	    smfi_opensocket(false) == MI_FAILURE) {
		log_warnx("cannot listen on %s", conf->socket);
		conf_unref(conf);
		return EX_UNAVAILABLE;
	}
	if (sockpath != NULL && !daemon_socket_chown(sockpath, &user)) {
		conf_unref(conf);
		return EX_NOPERM;
	}
	if (!foreground) {
		if (!daemon_detach(pidfd))
			return EX_OSERR;
	} else if (pidfd >= 0 && !daemon_pidfile_write(pidfd, getpid()))
		return EX_CANTCREAT;
	if (pidfd >= 0)
		close(pidfd);
	if (!daemon_drop_privileges(&user)) {
		conf_unref(conf);
		return EX_NOPERM;
	}

	/*
	 * Every thread inherits this mask. libmilter's signal thread waits for
	 * HUP, INT and TERM, but it blocks them only in threads made after
	 * smfi_main(): block them here too, or the kernel may hand SIGTERM to
	 * the reload thread and kill the process without a clean shutdown.
	 */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if ((errno = pthread_create(&reload_thread, NULL, reload_main, &sigs)) != 0) {
		log_warn("pthread_create");
		conf_unref(conf);
		return EX_OSERR;
	}

	log_info("starting %s %s on %s (%zu identities)", PROGNAME, VERSION,
	    conf->socket, conf->nidentities);
	conf_unref(conf);
	rc = smfi_main() == MI_SUCCESS ? EX_OK : EX_SOFTWARE;

	pthread_kill(reload_thread, SIGUSR2);
	pthread_join(reload_thread, NULL);
	if (sockpath != NULL && unlink(sockpath) != 0 && errno != ENOENT)
		log_warn("cannot remove %s", sockpath);
	/* Without root the pidfile's directory is usually not ours to change. */
	if (pidfile != NULL && unlink(pidfile) != 0 && errno != ENOENT &&
	    errno != EACCES && errno != EPERM)
		log_warn("cannot remove %s", pidfile);
	log_info("stopped");
	filter_set_conf(NULL);
	curl_global_cleanup();
	ares_library_cleanup();
	return rc;
}
