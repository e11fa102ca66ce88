/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * confreap: the last conf_unref() hands the configuration over instead of
 * freeing it on the caller's thread, and the reaper frees it (the ASan
 * build's leak check says it did).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "milter/conf.h"
#include "milter/confreap.h"

static struct conf *released;

static void
record(struct conf *c)
{
	released = c;
}

static struct conf *
load(void)
{
	char path[] = "/tmp/test_confreap.XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	struct conf *c;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("[identity example.com]\nmail_from_domain = b.example.com\n"
	      "[identity a@example.org]\n",
	    f);
	assert_int_equal(fclose(f), 0);
	c = conf_load(path, NULL, NULL);
	unlink(path);
	assert_non_null(c);
	return c;
}

static void
test_release_hook(void **state)
{
	struct conf *c = load();

	(void)state;
	conf_set_release(record);
	conf_ref(c);
	conf_unref(c);
	assert_null(released); /* not the last */
	conf_unref(c);
	assert_ptr_equal(released, c);
	conf_set_release(NULL);
	conf_free(c);
	released = NULL;
}

static void *
drop(void *arg)
{
	conf_unref(arg);
	return NULL;
}

static void
test_reaper_frees(void **state)
{
	struct conf *c;
	pthread_t t;
	int i;

	(void)state;
	assert_true(confreap_start());
	for (i = 0; i < 50; i++) {
		c = load();
		conf_ref(c);
		conf_unref(c);
		assert_int_equal(pthread_create(&t, NULL, drop, c), 0);
		pthread_join(t, NULL);
	}
	confreap_stop();
	/* stopped: frees at once again */
	conf_unref(load());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release_hook),
		cmocka_unit_test(test_reaper_frees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
