/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

static bool log_stderr;
static bool log_debugging;
static const char *log_ident = "ses-mailfrom-milter";

void
log_init(const char *ident, int facility, bool to_stderr)
{
	log_ident = ident;
	log_stderr = to_stderr;
	openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

void
log_set_facility(int facility)
{
	closelog();
	openlog(log_ident, LOG_PID | LOG_NDELAY, facility);
}

void
log_set_debug(bool on)
{
	log_debugging = on;
}

/*
 * One formatted line goes to syslog and, in the foreground, to stderr in a
 * single write so that lines from several threads never interleave.
 */
static void
log_emit(int prio, const char *suffix, const char *fmt, va_list ap)
{
	char line[2048];
	int n;

	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1; /* truncated: still worth logging */
	if (suffix != NULL)
		snprintf(line + n, sizeof(line) - n, ": %s", suffix);
	syslog(prio, "%s", line);
	if (log_stderr) {
		size_t len = strlen(line);

		if (len < sizeof(line) - 1) {
			line[len++] = '\n';
			line[len] = '\0';
		}
		fputs(line, stderr);
		fflush(stderr);
	}
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_WARNING, strerror_r(saved, buf, sizeof(buf)), fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_WARNING, NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_INFO, NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debugging)
		return;
	va_start(ap, fmt);
	log_emit(LOG_DEBUG, NULL, fmt, ap);
	va_end(ap);
}
