/* SPDX-License-Identifier: BSD-2-Clause */
/* logq: a full queue refuses and counts; lines come out in order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "milter/logq.h"

static struct logq_entry out;

static void
push(struct logq *q, const char *s, bool expect)
{
	assert_int_equal(logq_push(q, 6, s, strlen(s)), expect);
}

static void
pop(struct logq *q, const char *expect)
{
	assert_true(logq_pop(q, &out));
	assert_string_equal(out.line, expect);
	assert_int_equal(out.len, strlen(expect));
	assert_int_equal(out.prio, 6);
}

static void
test_order_and_wrap(void **state)
{
	struct logq q;
	char s[16], prev[16] = "b";
	int i;

	(void)state;
	assert_true(logq_init(&q, 3));
	assert_false(logq_pop(&q, &out));
	push(&q, "a", true);
	push(&q, "b", true);
	pop(&q, "a");
	/* round the ring several times: order kept at every turn */
	for (i = 0; i < 10; i++) {
		snprintf(s, sizeof(s), "line%d", i);
		push(&q, s, true);
		pop(&q, prev);
		memcpy(prev, s, sizeof(prev));
	}
	pop(&q, prev);
	assert_false(logq_pop(&q, &out));
	logq_free(&q);
}

static void
test_full_drops_and_counts(void **state)
{
	struct logq q;

	(void)state;
	assert_true(logq_init(&q, 2));
	push(&q, "one", true);
	push(&q, "two", true);
	push(&q, "three", false);
	push(&q, "four", false);
	assert_int_equal(logq_take_dropped(&q), 2);
	assert_int_equal(logq_take_dropped(&q), 0);
	pop(&q, "one");
	push(&q, "five", true);
	pop(&q, "two");
	pop(&q, "five");
	assert_false(logq_pop(&q, &out));
	logq_free(&q);
}

static void
test_long_line_cut(void **state)
{
	static char big[LOGQ_LINE_MAX * 2];
	struct logq q;

	(void)state;
	memset(big, 'x', sizeof(big));
	assert_true(logq_init(&q, 1));
	assert_true(logq_push(&q, 4, big, sizeof(big)));
	assert_true(logq_pop(&q, &out));
	assert_int_equal(out.len, LOGQ_LINE_MAX - 1);
	assert_int_equal(strlen(out.line), LOGQ_LINE_MAX - 1);
	logq_free(&q);
	assert_false(logq_init(&q, 0));
}

/* A line peeked at stays first until it is dropped. */
static void
test_front_stays_until_dropped(void **state)
{
	struct logq q;

	(void)state;
	assert_true(logq_init(&q, 2));
	assert_null(logq_front(&q));
	logq_drop_front(&q); /* empty: nothing happens */
	push(&q, "a", true);
	push(&q, "b", true);
	assert_string_equal(logq_front(&q)->line, "a");
	assert_string_equal(logq_front(&q)->line, "a");
	logq_drop_front(&q);
	assert_string_equal(logq_front(&q)->line, "b");
	push(&q, "c", true); /* wraps */
	pop(&q, "b");
	pop(&q, "c");
	assert_null(logq_front(&q));
	logq_free(&q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_wrap),
		cmocka_unit_test(test_full_drops_and_counts),
		cmocka_unit_test(test_long_line_cut),
		cmocka_unit_test(test_front_stays_until_dropped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
