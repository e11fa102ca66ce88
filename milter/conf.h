/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf: the daemon's INI configuration, read with inih and validated whole.
 *
 * conf_load() returns a fully validated, immutable struct conf or NULL; every
 * problem found is reported as "FILE:LINE: message" through the caller's
 * report function, not just the first, so an admin fixes a file in one pass.
 * The configuration is shared by the milter threads through a reference
 * count (conf_ref/conf_unref) so a reload can swap it while messages that
 * started under the old one finish with it.
 *
 * Ownership: conf_load() allocates everything in the struct; conf_unref()
 * of the last reference frees it all. Strings are never NULL unless said.
 */
#ifndef CONF_H
#define CONF_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CONF_DEFAULT_PATH "/etc/ses-mailfrom-milter.conf"
#define CONF_REJECT_REPLY \
	"MAIL FROM domain %{domain} of SES identity %{identity} " \
	"failed its MX check (%{mx}): MailFromDomainNotVerified"
#define CONF_TEMPFAIL_REPLY \
	"MAIL FROM domain %{domain} of SES identity %{identity}: " \
	"MX check failed temporarily (%{mx}), try again later"

enum conf_scope {
	CONF_SCOPE_ALL,
	CONF_SCOPE_AUTHENTICATED
};
enum conf_action {
	CONF_ACCEPT,
	CONF_REJECT,
	CONF_TEMPFAIL
};
enum conf_sync {
	CONF_SYNC_NO,
	CONF_SYNC_YES,
	CONF_SYNC_DRY_RUN
};
/* SES's BehaviorOnMXFailure. */
enum conf_behavior {
	CONF_USE_DEFAULT_VALUE,
	CONF_REJECT_MESSAGE
};

struct conf_identity {
	char
	    *name; /* "example.com" or "local@example.com", domain lower-case */
	char
	    *mail_from_domain; /* lower-case; NULL: custom MAIL FROM disabled */
	enum conf_behavior behavior;
	int line; /* of the [identity ...] header, for messages */
};

struct conf {
	char *path;

	/* [milter] */
	char *
	    socket; /* libmilter spec: unix:/p, local:/p, inet:P@H, inet6:P@H */
	char *user; /* "" keeps the starting user; else USER or USER:GROUP */
	mode_t umask;
	int syslog_facility; /* LOG_MAIL, ... */
	enum conf_scope scope;
	enum conf_action unknown_sender;
	enum conf_action on_internal_error; /* CONF_TEMPFAIL or CONF_ACCEPT */
	bool rewrite_envelope;
	char *reject_reply; /* reply templates, see decide_reply_text() */
	char *tempfail_reply;
	char *
	    local_daemons; /* {daemon_name}s of local submission, see origin.h */
	char *metrics_file;        /* Prometheus textfile; "" = off */
	unsigned metrics_interval; /* seconds */

	/* [dns] */
	char *
	    dns_servers; /* "" : /etc/resolv.conf; else "host:port,host:port" */
	int dns_timeout_ms;
	int dns_tries;
	unsigned dns_min_ttl; /* seconds */
	unsigned dns_max_ttl;
	char *
	    expected_mx; /* with {region} already substituted; "any" accepts any single MX */

	/* [ses] */
	char *region;
	char *endpoint; /* "" : derived from region */
	char *profile;  /* "" : the AWS default chain */
	enum conf_sync sync;
	unsigned sync_interval; /* seconds */
	double rate;            /* SES requests per second, process-wide */
	char *state_file;

	struct conf_identity *identities; /* sorted by name */
	size_t nidentities;
	struct ident_index *index; /* over identities; see ident.h */

	atomic_int refs;        /* see conf_ref() */
	struct conf *reap_next; /* on confreap's list, once released */
};

/* Called once per problem with "FILE:LINE: message" (no newline). */
typedef void (*conf_report_fn)(void *arg, const char *msg);

struct conf *conf_load(const char *path, conf_report_fn report, void *arg);

/*
 * How conf_load() checks the "user" key: account_lookup() unless replaced.
 * The unit tests replace it so that checking the example configuration
 * does not depend on the accounts of the machine the tests run on.
 */
struct account;
typedef bool (*conf_account_fn)(
    const char *spec, struct account *, const char **why);
void conf_set_account_lookup(conf_account_fn);
struct conf *conf_ref(struct conf *);
/*
 * Drops a reference; the last one frees the configuration, or hands it to
 * the function conf_set_release() named (confreap.h: freed by a thread of
 * its own, because a milter thread may drop the last reference to a
 * reloaded configuration of 100,000 identities mid-message).
 */
void conf_unref(struct conf *);
typedef void (*conf_release_fn)(struct conf *);
void conf_set_release(conf_release_fn); /* NULL: free at once */
/* Frees C now, whatever its references (for the release function). */
void conf_free(struct conf *c);

/* Value parsers shared with the tool and the tests; each returns false on bad input. */
bool conf_parse_duration(const char *s, unsigned *seconds);
bool conf_parse_socket(const char *s, const char **why);
bool conf_is_subdomain(const char *sub, const char *parent);

/* The MX host to publish ("any" means SES's host for the region). */
void conf_expected_mx_host(const struct conf *, char *buf, size_t len);

const char *conf_behavior_name(enum conf_behavior);
const char *conf_action_name(enum conf_action);

#endif
