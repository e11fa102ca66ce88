/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The SES status snapshot the milter threads read: made from the
 * synchroniser's state, matched to identities by their place in the
 * configuration it was made for, and only while fresh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "milter/conf.h"
#include "milter/sesstatus.h"
#include "milter/sync/snapshot.h"
#include "milter/sync/state.h"

static void
ignore(void *arg, const char *msg)
{
	(void)arg;
	fail_msg("configuration: %s", msg);
}

static struct conf *
load(const char *text)
{
	char path[] = "/tmp/test_sesstatus.XXXXXX";
	int fd = mkstemp(path);
	struct conf *c;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	c = conf_load(path, ignore, NULL);
	unlink(path);
	assert_non_null(c);
	return c;
}

static const char ids[] =
    "[ses]\nsync_interval = 1h\n"
    "[identity a.test]\nmail_from_domain = b.a.test\n"
    "[identity f.test]\nmail_from_domain = b.f.test\n"
    "[identity moved.test]\nmail_from_domain = new.moved.test\n"
    "[identity off.test]\n"
    "[identity p.test]\nmail_from_domain = b.p.test\n";

static void
add(struct state *st, const char *name, const char *domain, const char *status,
    time_t checked)
{
	struct state_identity *id = state_add(st, name);

	assert_non_null(id);
	id->known = true;
	id->checked = checked;
	assert_int_equal(state_set(&id->ses.mail_from_domain, domain), 0);
	assert_int_equal(state_set(&id->ses.status, status), 0);
}

static const struct conf_identity *
identity(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nidentities; i++)
		if (strcmp(c->identities[i].name, name) == 0)
			return &c->identities[i];
	fail_msg("no identity %s", name);
	return NULL;
}

static void
test_snapshot(void **state)
{
	struct conf *c = load(ids), *other = load(ids);
	struct state *st = state_new();
	struct sesstatus *snap;
	time_t now = 1800000000;

	(void)state;
	add(st, "a.test", "B.a.test", "Success", now - 10);
	add(st, "f.test", "b.f.test", "Failed", now - 7200);
	add(st, "moved.test", "old.moved.test", "Failed", now);
	add(st, "off.test", "b.off.test", "Failed", now);
	add(st, "p.test", "b.p.test", "Pending", now - 7201);
	state_sort(st);
	snap = snapshot_make(c, st);
	assert_non_null(snap);
	assert_int_equal(sesstatus_lookup(snap, c, identity(c, "a.test"), now),
	    SESSTATUS_SUCCESS);
	/* exactly twice the interval old still counts, one second more not */
	assert_int_equal(sesstatus_lookup(snap, c, identity(c, "f.test"), now),
	    SESSTATUS_FAILED);
	assert_int_equal(sesstatus_lookup(snap, c, identity(c, "p.test"), now),
	    SESSTATUS_UNKNOWN);
	/* the status of another MAIL FROM domain says nothing of this one */
	assert_int_equal(
	    sesstatus_lookup(snap, c, identity(c, "moved.test"), now),
	    SESSTATUS_UNKNOWN);
	assert_int_equal(
	    sesstatus_lookup(snap, c, identity(c, "off.test"), now),
	    SESSTATUS_UNKNOWN);
	/* a snapshot of another configuration (a reload) is not used */
	assert_int_equal(
	    sesstatus_lookup(snap, other, identity(other, "a.test"), now),
	    SESSTATUS_UNKNOWN);
	assert_int_equal(sesstatus_lookup(NULL, c, identity(c, "a.test"), now),
	    SESSTATUS_UNKNOWN);
	assert_int_equal(
	    sesstatus_lookup(snap, c, NULL, now), SESSTATUS_UNKNOWN);
	/* the snapshot keeps its configuration alive */
	conf_unref(c);
	assert_ptr_equal(sesstatus_ref(snap), snap);
	sesstatus_unref(snap);
	assert_string_equal(snap->conf->identities[0].name, "a.test");
	sesstatus_unref(snap);
	state_free(st);
	conf_unref(other);
}

static void
test_no_state(void **state)
{
	struct conf *c = load(ids);
	struct sesstatus *snap = snapshot_make(c, NULL);

	(void)state;
	assert_non_null(snap);
	assert_int_equal(
	    sesstatus_lookup(snap, c, identity(c, "a.test"), 1800000000),
	    SESSTATUS_UNKNOWN);
	sesstatus_unref(snap);
	conf_unref(c);
}

static void
test_names(void **state)
{
	(void)state;
	assert_int_equal(sesstatus_parse("Pending"), SESSTATUS_PENDING);
	assert_int_equal(
	    sesstatus_parse("TemporaryFailure"), SESSTATUS_TEMPORARY_FAILURE);
	assert_int_equal(sesstatus_parse("Failed"), SESSTATUS_FAILED);
	assert_int_equal(sesstatus_parse("Success"), SESSTATUS_SUCCESS);
	assert_int_equal(sesstatus_parse("success"), SESSTATUS_UNKNOWN);
	assert_int_equal(sesstatus_parse(""), SESSTATUS_UNKNOWN);
	assert_int_equal(sesstatus_parse(NULL), SESSTATUS_UNKNOWN);
	assert_null(sesstatus_name(SESSTATUS_UNKNOWN));
	assert_string_equal(
	    sesstatus_name(SESSTATUS_TEMPORARY_FAILURE), "TemporaryFailure");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_no_state),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
