/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log: syslog, and stderr too when running in the foreground.
 *
 * As in OpenSMTPD, log_warn() appends strerror(errno) and log_warnx() does
 * not. Audit lines go through log_info(); they are one key=value line each.
 * Callers never pass secrets here.
 */
#ifndef LOG_H
#define LOG_H

#include <stdbool.h>

void log_init(const char *ident, int facility, bool to_stderr);
/* Changes the facility of an open log (a reload may change it). */
void log_set_facility(int facility);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_set_debug(bool on);

#endif
