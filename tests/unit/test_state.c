/* SPDX-License-Identifier: BSD-2-Clause */
/* state: the synchroniser's JSON file, parsed, formatted and written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "milter/sync/state.h"

static const char good[] =
    "{\"version\": 1, \"last_success\": 1732600000, \"last_attempt\": 1732600100,\n"
    " \"last_error\": \"Throttling: Rate exceeded\",\n"
    " \"identities\": {\n"
    "  \"example.com\": {\"known\": true, \"mail_from_domain\": \"bounce.example.com\",\n"
    "    \"status\": \"Success\", \"behavior\": \"RejectMessage\", \"checked\": 1732600000,\n"
    "    \"last_error\": null},\n"
    "  \"alice@example.org\": {\"known\": true, \"mail_from_domain\": null,\n"
    "    \"behavior\": \"UseDefaultValue\"},\n"
    "  \"gone.test\": {\"known\": false, \"last_error\": \"unknown to SES\",\n"
    "    \"future_key\": [1, 2]}\n"
    " }}\n";

static struct state *
parse_ok(const char *text)
{
	struct state *st;
	char err[256] = "";

	if (state_parse(text, strlen(text), &st, err, sizeof(err)) != 0)
		fail_msg("parse failed: %s", err);
	assert_non_null(st);
	return st;
}

/* The reason, or NULL when it parsed. */
static const char *
parse_err(const char *text)
{
	static char err[256];
	struct state *st = (struct state *)1;

	err[0] = '\0';
	if (state_parse(text, strlen(text), &st, err, sizeof(err)) == 0) {
		state_free(st);
		return NULL;
	}
	assert_null(st);
	assert_true(err[0] != '\0');
	return err;
}

static void
test_parse_good(void **state)
{
	struct state *st = parse_ok(good);
	struct state_identity *id;

	(void)state;
	assert_int_equal(st->last_success, 1732600000);
	assert_int_equal(st->last_attempt, 1732600100);
	assert_string_equal(st->last_error, "Throttling: Rate exceeded");
	assert_int_equal(st->nids, 3);
	/* sorted by name */
	assert_string_equal(st->ids[0].ses.identity, "alice@example.org");
	assert_string_equal(st->ids[1].ses.identity, "example.com");
	assert_string_equal(st->ids[2].ses.identity, "gone.test");

	id = state_find(st, "example.com");
	assert_non_null(id);
	assert_true(id->known);
	assert_string_equal(id->ses.mail_from_domain, "bounce.example.com");
	assert_string_equal(id->ses.status, "Success");
	assert_string_equal(id->ses.behavior, "RejectMessage");
	assert_int_equal(id->checked, 1732600000);
	assert_null(id->last_error);

	id = state_find(st, "alice@example.org");
	assert_non_null(id);
	assert_null(id->ses.mail_from_domain);
	assert_null(id->ses.status);
	assert_int_equal(id->checked, 0);

	id = state_find(st, "gone.test");
	assert_non_null(id);
	assert_false(id->known);
	assert_string_equal(id->last_error, "unknown to SES");

	assert_null(state_find(st, "EXAMPLE.COM"));
	assert_null(state_find(st, "nope.test"));
	state_free(st);
}

static void
test_parse_minimal(void **state)
{
	struct state *st = parse_ok("{\"version\":1}");

	(void)state;
	assert_int_equal(st->last_success, 0);
	assert_null(st->last_error);
	assert_int_equal(st->nids, 0);
	assert_null(state_find(st, "example.com"));
	state_free(st);
}

static void
test_corrupt(void **state)
{
	static const char *const bad[] = {
		"",
		" ",
		"garbage",
		"\x00\x01\x02",
		"[]",
		"1",
		"\"version\"",
		"null",
		"{",
		"{\"version\":1",
		"{\"version\":1,}",
		"{\"version\":1}{\"version\":1}",
		"{\"version\":1, \"version\":1}", /* duplicate key */
		"{\"version\":1, \"identities\": {\"a.test\": {}, \"a.test\": {}}}",
		"\xef\xbb\xbf{\"version\":1}", /* a BOM is not JSON */
		"{\"version\":1, \"last_error\": \"\\u0000\"}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse_err(bad[i]) == NULL)
			fail_msg("parsed: %s", bad[i]);
}

static void
test_truncated(void **state)
{
	struct state *st;
	char err[256];
	size_t len = strlen(good), cut;

	(void)state;
	/* every proper prefix but the one without the final newline */
	for (cut = 0; cut < len - 1; cut++) {
		st = (struct state *)1;
		if (state_parse(good, cut, &st, err, sizeof(err)) == 0)
			fail_msg("a prefix of %zu bytes parsed", cut);
		assert_null(st);
	}
}

static void
test_wrong_types(void **state)
{
	static const struct {
		const char *text, *reason;
	} bad[] = {
		{ "{}", "version" },
		{ "{\"version\": \"1\"}", "version" },
		{ "{\"version\": 2}", "version" },
		{ "{\"version\": 1.0}", "version" },
		{ "{\"version\": 1, \"last_success\": \"yesterday\"}",
		    "last_success" },
		{ "{\"version\": 1, \"last_success\": -1}", "last_success" },
		{ "{\"version\": 1, \"last_success\": 1.5}", "last_success" },
		{ "{\"version\": 1, \"last_attempt\": true}", "last_attempt" },
		{ "{\"version\": 1, \"last_error\": 5}", "last_error" },
		{ "{\"version\": 1, \"identities\": []}", "identities" },
		{ "{\"version\": 1, \"identities\": \"x\"}", "identities" },
		{ "{\"version\": 1, \"identities\": {\"a.test\": 1}}",
		    "a.test" },
		{ "{\"version\": 1, \"identities\": {\"a.test\": {\"known\": 1}}}",
		    "known" },
		{ "{\"version\": 1, \"identities\": {\"a.test\": {\"known\": \"yes\"}}}",
		    "known" },
		{ "{\"version\": 1, \"identities\": {\"a.test\": {\"mail_from_domain\": 3}}}",
		    "mail_from_domain" },
		{ "{\"version\": 1, \"identities\": {\"a.test\": {\"status\": []}}}",
		    "status" },
		{ "{\"version\": 1, \"identities\": {\"a.test\": {\"behavior\": {}}}}",
		    "behavior" },
		{ "{\"version\": 1, \"identities\": {\"a.test\": {\"last_error\": false}}}",
		    "last_error" },
		{ "{\"version\": 1, \"identities\": {\"a.test\": {\"checked\": \"now\"}}}",
		    "checked" },
		{ "{\"version\": 1, \"identities\": {\"\": {}}}", "name" },
		{ "{\"version\": 1, \"last_success\": 99999999999999999999999}",
		    "JSON" },
	};
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if ((why = parse_err(bad[i].text)) == NULL)
			fail_msg("parsed: %s", bad[i].text);
		if (strstr(why, bad[i].reason) == NULL)
			fail_msg("%s: reason '%s' does not name %s",
			    bad[i].text, why, bad[i].reason);
	}
}

/*
 * Values over their caps (state.h): an error text is cut, at a character
 * boundary; a longer SES value or name makes the file refused.
 */
static void
test_too_long(void **state)
{
	char text[1024], word[STATE_MAX_WORD + 2], name[STATE_MAX_NAME + 2];
	char err[STATE_MAX_ERROR + 64];
	struct state *st;
	const char *why;

	(void)state;
	/* an 'x', then 2-byte characters across the cut */
	memset(err, 0, sizeof(err));
	err[0] = 'x';
	for (size_t i = 1; i + 2 < sizeof(err); i += 2)
		memcpy(err + i, "\xc3\xa9", 2);
	snprintf(text, sizeof(text), "{\"version\": 1, \"last_error\": \"%s\"}",
	    err);
	st = parse_ok(text);
	assert_int_equal(strlen(st->last_error), STATE_MAX_ERROR - 1);
	state_free(st);

	memset(word, 'w', sizeof(word) - 1);
	word[sizeof(word) - 1] = '\0';
	snprintf(text, sizeof(text),
	    "{\"version\": 1, \"identities\": {\"a.test\": "
	    "{\"status\": \"%s\"}}}",
	    word);
	assert_non_null(why = parse_err(text));
	assert_non_null(strstr(why, "\"status\" is over 32 bytes"));
	word[STATE_MAX_WORD] = '\0';
	snprintf(text, sizeof(text),
	    "{\"version\": 1, \"identities\": {\"a.test\": "
	    "{\"status\": \"%s\"}}}",
	    word);
	state_free(parse_ok(text));

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(text, sizeof(text),
	    "{\"version\": 1, \"identities\": {\"%s\": {}}}", name);
	assert_non_null(why = parse_err(text));
	assert_non_null(strstr(why, "over 256 bytes"));
}

static void
assert_same(const struct state *a, const struct state *b)
{
	size_t i;

#define SAME(x, y) \
	do { \
		if ((x) == NULL || (y) == NULL) \
			assert_ptr_equal((x), (y)); \
		else \
			assert_string_equal((x), (y)); \
	} while (0)
	assert_int_equal(a->last_success, b->last_success);
	assert_int_equal(a->last_attempt, b->last_attempt);
	SAME(a->last_error, b->last_error);
	assert_int_equal(a->nids, b->nids);
	for (i = 0; i < a->nids; i++) {
		SAME(a->ids[i].ses.identity, b->ids[i].ses.identity);
		SAME(a->ids[i].ses.mail_from_domain,
		    b->ids[i].ses.mail_from_domain);
		SAME(a->ids[i].ses.status, b->ids[i].ses.status);
		SAME(a->ids[i].ses.behavior, b->ids[i].ses.behavior);
		SAME(a->ids[i].last_error, b->ids[i].last_error);
		assert_int_equal(a->ids[i].known, b->ids[i].known);
		assert_int_equal(a->ids[i].checked, b->ids[i].checked);
	}
#undef SAME
}

static void
test_round_trip(void **state)
{
	struct state *a = parse_ok(good), *b;
	char *text, *again;

	(void)state;
	text = state_format(a);
	assert_non_null(text);
	assert_true(text[strlen(text) - 1] == '\n');
	b = parse_ok(text);
	assert_same(a, b);
	/* stable: formatting the copy gives the same bytes */
	again = state_format(b);
	assert_string_equal(text, again);
	free(text);
	free(again);
	state_free(a);
	state_free(b);
}

static void
test_build_and_format(void **state)
{
	struct state *st = state_new(), *back;
	struct state_identity *id;
	char *text;

	(void)state;
	assert_non_null(st);
	st->last_success = 42;
	assert_non_null(id = state_add(st, "z.test"));
	id->known = true;
	assert_int_equal(state_set(&id->ses.mail_from_domain, "b.z.test"), 0);
	assert_int_equal(state_set(&id->ses.status, "Pending"), 0);
	assert_int_equal(state_set(&id->ses.status, NULL), 0);
	assert_null(id->ses.status);
	/* odd but legal names and texts: quotes, backslash, non-ASCII */
	assert_non_null(id = state_add(st, "\"q\\\"x\"@a.test"));
	assert_int_equal(
	    state_set(&id->last_error, "Caf\xc3\xa9 \"down\"\n"), 0);
	/* not UTF-8 (should never happen): kept, with '?' */
	assert_non_null(id = state_add(st, "m\xff@a.test"));
	assert_int_equal(state_set(&id->last_error, "bad \xfe byte"), 0);
	state_sort(st);
	assert_string_equal(st->ids[0].ses.identity, "\"q\\\"x\"@a.test");
	assert_non_null(state_find(st, "z.test"));

	text = state_format(st);
	assert_non_null(text);
	back = parse_ok(text);
	assert_int_equal(back->nids, 3);
	assert_int_equal(back->last_success, 42);
	id = state_find(back, "\"q\\\"x\"@a.test");
	assert_non_null(id);
	/* a control byte is a space: escaping at most doubles a text */
	assert_string_equal(id->last_error, "Caf\xc3\xa9 \"down\" ");
	id = state_find(back, "m?@a.test");
	assert_non_null(id);
	assert_string_equal(id->last_error, "bad ? byte");
	id = state_find(back, "z.test");
	assert_non_null(id);
	assert_true(id->known);
	assert_null(id->ses.status);
	assert_string_equal(id->ses.mail_from_domain, "b.z.test");
	free(text);
	state_free(st);
	state_free(back);
}

/* ---- files ---- */

static char tmpdir[64];

static int
setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_state.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static size_t
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
test_save_load(void **state)
{
	struct state *a = parse_ok(good), *b;
	char path[128], err[256];
	struct stat sb;

	(void)state;
	snprintf(path, sizeof(path), "%s/state.json", tmpdir);
	assert_int_equal(state_save(path, a, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0640);
	/* over an existing file, and no temporary file left behind */
	assert_int_equal(state_save(path, a, err, sizeof(err)), 0);
	assert_int_equal(count_entries(tmpdir), 1);
	b = state_load(path);
	assert_non_null(b);
	assert_same(a, b);
	state_free(a);
	state_free(b);
}

static void
test_save_creates_directory(void **state)
{
	struct state *a = parse_ok(good), *b;
	char dir[128], path[160], err[256];
	struct stat sb;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/var", tmpdir);
	snprintf(path, sizeof(path), "%s/state.json", dir);
	assert_int_equal(state_save(path, a, err, sizeof(err)), 0);
	assert_int_equal(stat(dir, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0750);
	b = state_load(path);
	assert_same(a, b);
	state_free(b);

	/* but not a tree */
	snprintf(path, sizeof(path), "%s/no/such/state.json", tmpdir);
	assert_int_equal(state_save(path, a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no/such"));
	/* nor a relative path */
	assert_int_equal(state_save("state.json", a, err, sizeof(err)), -1);
	state_free(a);
}

static void
test_load_missing_or_corrupt(void **state)
{
	struct state *st;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/absent.json", tmpdir);
	st = state_load(path);
	assert_non_null(st);
	assert_int_equal(st->nids, 0);
	assert_int_equal(st->last_success, 0);
	state_free(st);

	snprintf(path, sizeof(path), "%s/corrupt.json", tmpdir);
	write_text(path, good, strlen(good) / 2);
	st = state_load(path);
	assert_non_null(st);
	assert_int_equal(st->nids, 0);
	assert_int_equal(st->last_success, 0);
	state_free(st);

	write_text(path, "{\"version\": 1, \"last_success\": \"x\"}", 36);
	st = state_load(path);
	assert_non_null(st);
	assert_int_equal(st->last_success, 0);
	state_free(st);

	/* a directory is not a state file */
	st = state_load(tmpdir);
	assert_non_null(st);
	assert_int_equal(st->nids, 0);
	state_free(st);
}

/*
 * The worst record state.h allows: every string at its cap, of bytes that
 * escape to two ('"'), times of 19 digits; NAME distinct per N.
 */
static void
add_worst(struct state *st, size_t n)
{
	char name[STATE_MAX_NAME + 1], dom[STATE_MAX_DOMAIN + 1];
	char word[STATE_MAX_WORD + 1], err[STATE_MAX_ERROR + 1];
	struct state_identity *id;

	memset(name, '"', STATE_MAX_NAME);
	snprintf(name + STATE_MAX_NAME - 6, 7, "%06zu", n);
	memset(dom, 'd', STATE_MAX_DOMAIN);
	dom[STATE_MAX_DOMAIN] = '\0';
	memset(word, '"', STATE_MAX_WORD);
	word[STATE_MAX_WORD] = '\0';
	memset(err, '\\', STATE_MAX_ERROR);
	err[STATE_MAX_ERROR] = '\0';
	assert_non_null(id = state_add(st, name));
	assert_int_equal(state_set(&id->ses.mail_from_domain, dom), 0);
	assert_int_equal(state_set(&id->ses.status, word), 0);
	assert_int_equal(state_set(&id->ses.behavior, word), 0);
	assert_int_equal(state_set(&id->last_error, err), 0);
	id->checked = id->reverified = INT64_MAX / 2;
}

/* The worst record fits STATE_MAX_RECORD (the figure state.h gives). */
static void
test_worst_record(void **state)
{
	struct state *st = state_new();
	char *empty, *one;

	(void)state;
	assert_non_null(st);
	assert_non_null(empty = state_format(st));
	add_worst(st, 1);
	assert_non_null(one = state_format(st));
	print_message("worst record: %zu bytes (cap %u)\n",
	    strlen(one) - strlen(empty), STATE_MAX_RECORD);
	assert_true(strlen(one) - strlen(empty) <= STATE_MAX_RECORD);
	free(empty);
	free(one);
	state_free(st);
}

/*
 * STATE_MAX_IDENTITIES worst records round-trip through the file; a state
 * over the limit is not written (the last good file stays), and a file
 * one byte over it is refused and read as an empty state (issue 11,
 * item 7: the limit was an unexplained 64 MiB, which the writer could
 * pass with no complaint).
 */
static void
test_limit_round_trip(void **state)
{
	struct state *st = state_new(), *back;
	char path[128], err[512];
	struct stat sb;
	size_t i;
	int fd;

	(void)state;
	assert_non_null(st);
	for (i = 0; i < STATE_MAX_IDENTITIES; i++)
		add_worst(st, i);
	st->last_error = malloc(STATE_MAX_ERROR + 1);
	assert_non_null(st->last_error);
	memset(st->last_error, '"', STATE_MAX_ERROR);
	st->last_error[STATE_MAX_ERROR] = '\0';
	snprintf(path, sizeof(path), "%s/state.json", tmpdir);
	assert_int_equal(state_save(path, st, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &sb), 0);
	print_message("%u worst records: %lld bytes (limit %u)\n",
	    STATE_MAX_IDENTITIES, (long long)sb.st_size, STATE_MAX_FILE);
	assert_true((size_t)sb.st_size <= STATE_MAX_FILE);
	assert_non_null(back = state_load(path));
	assert_int_equal(back->nids, STATE_MAX_IDENTITIES);
	assert_string_equal(back->ids[7].ses.status, st->ids[7].ses.status);
	assert_string_equal(back->ids[7].last_error, st->ids[7].last_error);
	state_free(back);

	/* more than the reader takes: refused, the file left as it was */
	for (i = 0; i < STATE_MAX_IDENTITIES / 10; i++)
		add_worst(st, STATE_MAX_IDENTITIES + i);
	assert_int_equal(state_save(path, st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not written"));
	assert_int_equal(count_entries(tmpdir), 1);
	state_free(st);

	/* one byte over the limit: refused before it is read */
	assert_true((fd = open(path, O_WRONLY | O_TRUNC)) >= 0);
	assert_int_equal(ftruncate(fd, (off_t)STATE_MAX_FILE + 1), 0);
	close(fd);
	assert_non_null(back = state_load(path));
	assert_int_equal(back->nids, 0);
	state_free(back);
}

/*
 * A FIFO as state file neither blocks the reader nor the writer: read as
 * no state at once, and replaced by the new file (issue 11, item 2).
 */
static void
test_fifo_state_file(void **state)
{
	struct state *st, *a = parse_ok(good);
	char path[128], err[256];
	struct stat sb;

	(void)state;
	snprintf(path, sizeof(path), "%s/state.json", tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(10);
	assert_non_null(st = state_load(path));
	assert_int_equal(st->nids, 0);
	state_free(st);
	assert_int_equal(state_save(path, a, err, sizeof(err)), 0);
	alarm(0);
	assert_int_equal(lstat(path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_non_null(st = state_load(path));
	assert_same(a, st);
	state_free(st);
	state_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_minimal),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_build_and_format),
		cmocka_unit_test_setup_teardown(
		    test_save_load, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_save_creates_directory, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_load_missing_or_corrupt, setup_dir, teardown_dir),
		cmocka_unit_test(test_worst_record),
		cmocka_unit_test_setup_teardown(
		    test_limit_round_trip, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_fifo_state_file, setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
