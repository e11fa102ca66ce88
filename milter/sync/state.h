/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state: what the synchroniser knows about SES between runs, kept in the
 * JSON file [ses] state_file, so that a restart neither forgets SES's
 * statuses nor queries SES sooner than sync_interval after the last pass
 * that succeeded.
 *
 *   {"version": 1, "last_success": 1732600000, "last_attempt": 1732600000,
 *    "last_error": null,
 *    "identities": {"example.com": {"known": true,
 *        "mail_from_domain": "bounce.example.com", "status": "Success",
 *        "behavior": "RejectMessage", "checked": 1732600000,
 *        "reverified": 0, "last_error": null}}}
 *
 * Times are seconds since the epoch (0: never). An identity's attributes
 * are SES's as last read, or as last set by the synchroniser; null means
 * absent. state_parse() refuses what is not this shape (wrong types,
 * another version) as a whole: a half-understood state is worth less than
 * none, since the worst an empty one costs is one early pass.
 *
 * state_parse() and state_format() are pure; state_load() and
 * state_save() do the file's I/O. A missing, unreadable or corrupt file
 * is reported with log_warnx() and read as an empty state, never fatal.
 * state_save() is atomic: a temporary file in the same directory, fsync,
 * rename over the file, fsync of the directory. A missing directory is
 * created (one level, mode 0750: the usual /var/lib/NAME for a daemon
 * that runs as its own user after dropping root, which cannot create it
 * in /var/lib itself); a missing parent of it is an error, as a typo in
 * the path is more likely than a wish for a tree.
 *
 * Ownership: a struct state owns every string in it; state_free().
 */
#ifndef STATE_H
#define STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "ses/sesxml.h"

#define STATE_VERSION 1

/*
 * What one identity's record may hold, in bytes before JSON escaping. The
 * writer keeps to these (a longer SES value is written as null, a longer
 * error text is cut at a character boundary, control bytes become
 * spaces), and the reader refuses longer names and values.
 */
#define STATE_MAX_NAME 256   /* identity: an address, ADDR_PATH_MAX */
#define STATE_MAX_DOMAIN 253 /* mail_from_domain: ALABEL_NAME_MAX */
#define STATE_MAX_WORD 32    /* status, behavior: SES's enumerations */
#define STATE_MAX_ERROR 256  /* last_error (the pass's and each identity's) */

/*
 * The file holds at most STATE_MAX_IDENTITIES records of at most
 * STATE_MAX_RECORD bytes as state_format() writes them. The worst record
 * is 1,588 bytes: a name of STATE_MAX_NAME bytes each escaped to two
 * (a quoted local part of '"' and '\\'; the configuration's names have
 * no control bytes, which escape to six), the domain, both words and the
 * error at their caps (escaped to two bytes each), 19-digit times, the
 * indentation and the keys (test_state measures it). 100,000 such
 * records and the file's head come to 158,700,609 bytes (151 MiB); the
 * limit, 1,700 bytes a record, is 170,004,096 bytes (162 MiB). A real
 * record is some 250 bytes, 25 MB for 100,000. The writer refuses to
 * write more than STATE_MAX_FILE, so it never leaves a file the reader
 * would refuse.
 */
#define STATE_MAX_IDENTITIES 100000u
#define STATE_MAX_RECORD 1700u
#define STATE_MAX_FILE (STATE_MAX_IDENTITIES * STATE_MAX_RECORD + 4096u)

struct state_identity {
	/* ses.identity is the configured name, never NULL */
	struct sesxml_mail_from ses;
	bool known;        /* SES knew it when last asked */
	time_t checked;    /* when SES was last asked; 0: never */
	time_t reverified; /* the last re-verification (Set, same values) */
	char *last_error;  /* NULL: its last call succeeded */
};

struct state {
	time_t last_success; /* end of the last good pass; 0: never */
	time_t last_attempt;
	char *last_error; /* of the last pass; NULL: it succeeded */
	struct state_identity *ids;
	size_t nids;
	size_t cap;
};

/* NULL when out of memory. */
struct state *state_new(void);
void state_free(struct state *);

/*
 * Pure: BUF[0..LEN) to a new state (sorted, see state_find()). 0, or -1
 * with a one-line reason in ERR (which names the part that is wrong,
 * never quotes the file) and *OUT NULL.
 */
int state_parse(
    const char *buf, size_t len, struct state **out, char *err, size_t errlen);

/* Pure: the state as JSON text with a final newline (malloc'd), or NULL
   when out of memory. */
char *state_format(const struct state *);

/*
 * Appends a record for IDENTITY with no attributes; NULL when out of
 * memory. The state is unsorted until state_sort().
 */
struct state_identity *state_add(struct state *, const char *identity);
void state_sort(struct state *);
/* Exact name; needs a sorted state. NULL when absent. */
struct state_identity *state_find(const struct state *, const char *identity);

/* Replaces *FIELD with a copy of VALUE (NULL: none). 0, or -1 (ENOMEM)
   with *FIELD unchanged. */
int state_set(char **field, const char *value);

/* The file at PATH, or an empty state (reported) when there is none to
   read; NULL only when out of memory. */
struct state *state_load(const char *path);

/* 0, or -1 with the reason in ERR (the file is then left as it was). */
int state_save(
    const char *path, const struct state *, char *err, size_t errlen);

#endif
