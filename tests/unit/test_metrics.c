/* SPDX-License-Identifier: BSD-2-Clause */
/* metrics: the exposition text, and the buckets of SES's statuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "milter/metrics.h"

static char *
format(const struct metrics_snap *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	metrics_format(f, s);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void
test_status_of(void **state)
{
	(void)state;
	assert_int_equal(metrics_status_of("Success"), METRICS_ST_SUCCESS);
	assert_int_equal(metrics_status_of("Pending"), METRICS_ST_PENDING);
	assert_int_equal(metrics_status_of("Failed"), METRICS_ST_FAILED);
	assert_int_equal(metrics_status_of("TemporaryFailure"),
	    METRICS_ST_TEMPORARY_FAILURE);
	assert_int_equal(metrics_status_of("NotStarted"), METRICS_ST_UNKNOWN);
	assert_int_equal(metrics_status_of("unknown"), METRICS_ST_UNKNOWN);
	assert_int_equal(metrics_status_of(NULL), METRICS_ST_UNKNOWN);
}

static void
test_format(void **state)
{
	struct metrics_snap s;
	char *t;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.messages[METRICS_REJECT][METRICS_R_UNKNOWN_SENDER] = 3;
	s.messages[METRICS_ACCEPT][METRICS_R_TEMPORARY_FAILURE] = 2;
	s.mx[1] = 4; /* MX_NXDOMAIN */
	s.dns_hits = 5;
	s.ses[METRICS_SES_SET][0] = 1;
	s.passes[1] = 6;
	s.log_dropped = 7;
	s.started = 1700000000;
	s.version = "9.9";
	t = format(&s);
	assert_non_null(strstr(t,
	    "\nses_mailfrom_messages_total{action=\"reject\","
	    "reason=\"unknown_sender\"} 3\n"));
	assert_non_null(strstr(t,
	    "\nses_mailfrom_messages_total{action=\"accept\","
	    "reason=\"TemporaryFailure\"} 2\n"));
	assert_non_null(strstr(t,
	    "\nses_mailfrom_messages_total{action=\"tempfail\","
	    "reason=\"local\"} 0\n"));
	assert_non_null(strstr(
	    t, "\nses_mailfrom_mx_checks_total{result=\"nxdomain\"} 4\n"));
	assert_non_null(strstr(t, "\nses_mailfrom_dns_cache_hits_total 5\n"));
	assert_non_null(strstr(t,
	    "\nses_mailfrom_ses_requests_total{action=\"SetIdentityMailFromDomain\","
	    "outcome=\"error\"} 1\n"));
	assert_non_null(
	    strstr(t, "\nses_mailfrom_sync_passes_total{result=\"ok\"} 6\n"));
	assert_non_null(
	    strstr(t, "\nses_mailfrom_log_lines_dropped_total 7\n"));
	assert_non_null(
	    strstr(t, "\nses_mailfrom_start_time_seconds 1700000000\n"));
	assert_non_null(
	    strstr(t, "\nses_mailfrom_build_info{version=\"9.9\"} 1\n"));
	/* not known yet: not shown rather than shown as 0 */
	assert_null(strstr(t, "sync_last_success_timestamp_seconds"));
	assert_null(strstr(t, "ses_mailfrom_identities"));
	assert_non_null(
	    strstr(t, "# TYPE ses_mailfrom_messages_total counter\n"));
	free(t);

	s.last_good_pass = 1700000100;
	s.identities_known = true;
	s.identities[METRICS_ST_PENDING] = 2;
	t = format(&s);
	assert_non_null(strstr(t,
	    "\nses_mailfrom_sync_last_success_timestamp_seconds 1700000100\n"));
	assert_non_null(
	    strstr(t, "\nses_mailfrom_identities{status=\"Pending\"} 2\n"));
	assert_non_null(
	    strstr(t, "\nses_mailfrom_identities{status=\"Success\"} 0\n"));
	free(t);
}

/*
 * A FIFO (or a symlink) left at PATH.tmp is replaced, not opened: the old
 * writer's open() blocked on it for ever, and metrics_stop() with it
 * (issue 11, item 2).
 */
static void
test_fifo_tmp_does_not_block(void **state)
{
	char dir[] = "/tmp/test_metrics.XXXXXX", path[128], tmp[160];
	char link[160];
	struct stat st;
	int i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/m.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(link, sizeof(link), "%s/target", dir);
	for (i = 0; i < 2; i++) {
		if (i == 0)
			assert_int_equal(mkfifo(tmp, 0600), 0);
		else /* a symlink: the target is left alone */
			assert_int_equal(symlink(link, tmp), 0);
		alarm(10);
		assert_true(metrics_start(path, 3600));
		metrics_stop(); /* joins the thread after its one write */
		alarm(0);
		assert_int_equal(lstat(path, &st), 0);
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(lstat(tmp, &st), -1);
		assert_int_equal(lstat(link, &st), -1);
	}
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_of),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_fifo_tmp_does_not_block),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
