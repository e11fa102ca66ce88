/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon_dir_safe: the directories root works in by name (the socket's,
 * the parent of one it creates), row by row; no core dumps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "milter/daemon.h"

struct row {
	uid_t owner;
	mode_t mode;
	uid_t euid;
	bool safe;
	const char *why;
};

static const struct row rows[] = {
	/* root's, readable by the service group: the socket directory */
	{ 0, S_IFDIR | 0750, 0, true, NULL },
	{ 0, S_IFDIR | 0755, 0, true, NULL },
	{ 0, S_IFDIR | 0700, 0, true, NULL },
	/* the running user's own, when started without root */
	{ 1000, S_IFDIR | 0755, 1000, true, NULL },
	/* root's, while running as someone else: still nobody else's */
	{ 0, S_IFDIR | 0755, 1000, true, NULL },
	/* another account could swap names under root */
	{ 999, S_IFDIR | 0750, 0, false, "owned by another account" },
	{ 0, S_IFDIR | 0770, 0, false, "writable by its group or by others" },
	{ 0, S_IFDIR | 0757, 0, false, "writable by its group or by others" },
	/* sticky does not help: others still create names in it (/tmp) */
	{ 0, S_IFDIR | 01777, 0, false, "writable by its group or by others" },
	{ 0, S_IFDIR | 01770, 0, false, "writable by its group or by others" },
	{ 0, S_IFREG | 0644, 0, false, "not a directory" },
	{ 0, S_IFLNK | 0777, 0, false, "not a directory" },
};

static void
test_rows(void **state)
{
	struct stat st;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(&st, 0, sizeof(st));
		st.st_uid = rows[i].owner;
		st.st_mode = rows[i].mode;
		why = NULL;
		if (daemon_dir_safe(&st, rows[i].euid, &why) != rows[i].safe)
			fail_msg("row %zu: want %s", i,
			    rows[i].safe ? "safe" : "unsafe");
		if (!rows[i].safe)
			assert_string_equal(why, rows[i].why);
	}
}

static void
test_no_core(void **state)
{
	struct rlimit rl;

	(void)state;
	assert_true(daemon_no_core());
	assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	assert_int_equal(getrlimit(RLIMIT_CORE, &rl), 0);
	assert_int_equal(rl.rlim_cur, 0);
	assert_int_equal(rl.rlim_max, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_no_core),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
