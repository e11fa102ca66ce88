/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * awsconfig: the AWS shared files, ~/.aws/credentials and ~/.aws/config,
 * read the way botocore's configparser reads them, with no limit on the
 * length of a line (a session token is well over 1000 bytes).
 *
 *   [name]                    credentials file: the profile is "name"
 *   [default], [profile name] config file: profiles
 *   [sso-session name]        config file: an SSO session; other sections
 *                             are ignored
 *   key = value               also "key: value"; keys compare without case
 *   # or ; at line start      comment; there are no inline comments
 *   s3 =                      an empty value followed by more-indented
 *     max_attempts = 10       lines is a nested sub-section: skipped
 *
 * A more-indented line after a key with a value continues that value
 * (joined with '\n', as configparser does). Malformed lines (also lines
 * with a NUL byte) are skipped, keys after a malformed header too; a
 * repeated section or key merges, the last value winning.
 *
 * awsconfig_parse() is pure. The struct awsconfig and every string it holds
 * belong to it; awsconfig_free() wipes the values (they are secrets) before
 * releasing them. Lookups return pointers into it, valid until the free.
 */
#ifndef SES_AWSCONFIG_H
#define SES_AWSCONFIG_H

#include <stddef.h>

enum awsconfig_kind {
	AWSCONFIG_CREDENTIALS, /* sections name profiles as they are */
	AWSCONFIG_CONFIG       /* [default] and [profile NAME] only */
};

/* Files larger than this are refused by awsconfig_load() (EFBIG). */
#define AWSCONFIG_MAX_FILE (4 * 1024 * 1024)

struct awsconfig;

/* NULL only when out of memory. buf need not be NUL-terminated. */
struct awsconfig *awsconfig_parse(
    const char *buf, size_t len, enum awsconfig_kind);

/*
 * Reads and parses PATH. A missing or unreadable file reads as an empty
 * one, as in botocore: returns 0 when the file was read, 1 when it was not
 * (*out is then an empty configuration), -1 on ENOMEM or a file over
 * AWSCONFIG_MAX_FILE (errno set, *out NULL). The read buffer is wiped.
 */
int awsconfig_load(
    const char *path, enum awsconfig_kind, struct awsconfig **out);

/* The value of KEY in PROFILE, or NULL. Nested sub-sections are not values. */
const char *awsconfig_get(
    const struct awsconfig *, const char *profile, const char *key);

/* 1 if a section for PROFILE exists (even an empty one), else 0. */
int awsconfig_has_profile(const struct awsconfig *, const char *profile);

/* The same for the [sso-session SESSION] sections of a config file. */
const char *awsconfig_session_get(
    const struct awsconfig *, const char *session, const char *key);
int awsconfig_has_session(const struct awsconfig *, const char *session);

void awsconfig_free(struct awsconfig *);

/*
 * The value bytes this thread's parses have copied so far, moves on
 * growth included: the unit test checks with it that a value made of
 * many continuation lines costs work linear in its size.
 */
size_t awsconfig_copied_bytes(void);

/*
 * Frees a string that may hold a secret (a key, a token), zeroing it first
 * so that no copy of it is left in freed memory. NULL is ignored.
 */
void awsconfig_free_secret(char *);

#endif
