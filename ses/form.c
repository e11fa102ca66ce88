/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ses/form.h"

#define FORM_MIN_CAP 256

void
form_init(struct form *f)
{
	f->data = NULL;
	f->len = 0;
	f->cap = 0;
}

void
form_free(struct form *f)
{
	free(f->data);
	form_init(f);
}

/* Makes room for MORE bytes after the current body plus its NUL. */
static int
reserve(struct form *f, size_t more)
{
	size_t need, cap;
	char *p;

	if (more > SIZE_MAX - 1 - f->len) {
		errno = EOVERFLOW;
		return -1;
	}
	need = f->len + more + 1;
	if (need <= f->cap)
		return 0;
	cap = f->cap ? f->cap : FORM_MIN_CAP;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if ((p = realloc(f->data, cap)) == NULL)
		return -1;
	f->data = p;
	f->cap = cap;
	return 0;
}

static int
put(struct form *f, const char *s, size_t n)
{
	if (reserve(f, n) == -1)
		return -1;
	memcpy(f->data + f->len, s, n);
	f->len += n;
	f->data[f->len] = '\0';
	return 0;
}

static int
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	    c == '~';
}

static int
put_encoded(struct form *f, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	size_t n, need = 0;
	char *w;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		n = unreserved(*p) || *p == ' ' ? 1 : 3;
		if (need > SIZE_MAX - n) {
			errno = EOVERFLOW;
			return -1;
		}
		need += n;
	}
	if (reserve(f, need) == -1)
		return -1;
	w = f->data + f->len;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (unreserved(*p))
			*w++ = (char)*p;
		else if (*p == ' ')
			*w++ = '+';
		else {
			*w++ = '%';
			*w++ = hex[*p >> 4];
			*w++ = hex[*p & 0x0f];
		}
	}
	f->len += need;
	f->data[f->len] = '\0';
	return 0;
}

/* One "KEY[SUFFIX]=VALUE" pair; SUFFIX is made of unreserved bytes only. */
static int
put_pair(struct form *f, const char *key, const char *suffix, const char *value)
{
	if (f->len > 0 && put(f, "&", 1) == -1)
		return -1;
	if (put_encoded(f, key) == -1 || put(f, suffix, strlen(suffix)) == -1 ||
	    put(f, "=", 1) == -1 || put_encoded(f, value) == -1)
		return -1;
	return 0;
}

/* Undoes a partial append so that a failed call changes nothing. */
static int
rollback(struct form *f, size_t len)
{
	int saved = errno;

	f->len = len;
	if (f->data != NULL)
		f->data[len] = '\0';
	errno = saved;
	return -1;
}

int
form_add(struct form *f, const char *key, const char *value)
{
	size_t len = f->len;

	if (key == NULL || value == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (put_pair(f, key, "", value) == -1)
		return rollback(f, len);
	return 0;
}

int
form_begin(struct form *f, const char *action)
{
	size_t len = f->len;

	if (form_add(f, "Action", action) == -1 ||
	    form_add(f, "Version", FORM_SES_VERSION) == -1)
		return rollback(f, len);
	return 0;
}

int
form_add_list(
    struct form *f, const char *key, const char *const *values, size_t n)
{
	char suffix[sizeof(".member.") + 20];
	size_t i, len = f->len;

	if (key == NULL || (n > 0 && values == NULL)) {
		errno = EINVAL;
		return -1;
	}
	if (n == 0)
		return form_add(f, key, "");
	for (i = 0; i < n; i++) {
		if (values[i] == NULL) {
			errno = EINVAL;
			return rollback(f, len);
		}
		(void)snprintf(suffix, sizeof(suffix), ".member.%zu", i + 1);
		if (put_pair(f, key, suffix, values[i]) == -1)
			return rollback(f, len);
	}
	return 0;
}
