/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * creds_process: a profile's credential_process (IAM Roles Anywhere's
 * aws_signing_helper, a vault's CLI...), run as botocore runs it: the
 * value split into arguments as Python's shlex.split() does, executed
 * without a shell (PATH searched), its standard output the JSON document
 *   {"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ...,
 *    "SessionToken": ... (optional), "Expiration": ISO 8601 (optional)}
 * Unlike botocore it is bounded in time (the chain gives it
 * CREDS_PROCESS_TIMEOUT seconds, then SIGKILL) and in output; its standard error is the caller's (passed
 * through), its standard input /dev/null. posix_spawn(): safe in a
 * threaded daemon, whose synchroniser thread alone asks for credentials.
 */
#ifndef SES_CREDS_PROCESS_H
#define SES_CREDS_PROCESS_H

#include <stddef.h>

#include "ses/creds.h"

#define CREDS_PROCESS_TIMEOUT 60
#define CREDS_PROCESS_MAX_OUTPUT (64 * 1024)
#define CREDS_PROCESS_MAX_ARGS 256

/*
 * Pure: CMD split as shlex.split(CMD) (POSIX mode, no comments) into a
 * NULL-terminated vector, malloc'd in one block (free() it). 0; -1 with
 * errno EINVAL (an unclosed quote, a trailing escape, no word at all,
 * more than CREDS_PROCESS_MAX_ARGS words) or ENOMEM.
 */
int creds_process_split(const char *cmd, char ***argvp);

/* Pure: the process's output to credentials, or botocore's error text. */
enum creds_status creds_process_parse(
    const char *json, size_t len, struct creds *out, char *err, size_t errlen);

/*
 * Runs CMD for at most TIMEOUT seconds, or until CANCEL (NULL: none)
 * fires; either way a process still running is killed. OUT as for
 * creds_provider_get().
 */
enum creds_status creds_process_run(const char *cmd, int timeout,
    const struct ses_cancel *cancel, struct creds *out, char *err,
    size_t errlen);

#endif
