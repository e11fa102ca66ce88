/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/alabel.h"

#include <idn2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * UTS #46 non-transitional processing ("ß" stays "ß"), input normalised to
 * NFC. Not IDN2_USE_STD3_ASCII_RULES: libidn2 2.3 then drops a '_' from a
 * U-label instead of refusing it, and "m_x" must not quietly become "mx";
 * the output is checked for letters, digits and hyphens instead.
 */
#define ALABEL_FLAGS (IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL)

bool
alabel_needed(const char *name)
{
	const char *p = name;

	for (; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			return true;
	for (p = name; p != NULL; p = strchr(p, '.')) {
		if (*p == '.')
			p++;
		if (strncasecmp(p, "xn--", 4) == 0)
			return true;
	}
	return false;
}

/*
 * Labels of 1 to 63 bytes, 253 in all: what fits a DNS query. With LDH,
 * letters, digits and hyphens only, as a converted name must be.
 */
static const char *
alabel_check(const char *s, bool ldh)
{
	size_t total = strlen(s), label = 0;

	if (total == 0)
		return "empty domain";
	if (total > ALABEL_NAME_MAX)
		return "domain longer than 253 octets in A-label form";
	for (;; s++) {
		if (*s == '.' || *s == '\0') {
			if (label == 0)
				return "empty label";
			if (label > ALABEL_LABEL_MAX)
				return "label longer than 63 octets in A-label form";
			if (*s == '\0')
				return NULL;
			label = 0;
		} else if (ldh &&
		    !(*s == '-' || (*s >= '0' && *s <= '9') ||
			(*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
			return "not only letters, digits and hyphens in "
			       "A-label form";
		else
			label++;
	}
}

/* The locale must not change a name, hence no tolower(). */
static void
alabel_lower_copy(char *out, const char *in)
{
	for (; *in != '\0'; in++, out++)
		*out = (char)(*in >= 'A' && *in <= 'Z' ? *in - 'A' + 'a' : *in);
	*out = '\0';
}

static bool
alabel_fail(char *out, size_t size, const char **why, const char *reason)
{
	if (size > 0)
		out[0] = '\0';
	*why = reason;
	return false;
}

bool
alabel_domain(const char *name, char *out, size_t size, const char **why)
{
	char *conv = NULL;
	const char *bad;
	size_t n;
	int rc;

	if (!alabel_needed(name)) {
		n = strlen(name);
		if ((bad = alabel_check(name, false)) != NULL)
			return alabel_fail(out, size, why, bad);
		if (n >= size)
			return alabel_fail(out, size, why, "domain too long");
		alabel_lower_copy(out, name);
		return true;
	}
	if ((rc = idn2_to_ascii_8z(name, &conv, ALABEL_FLAGS)) != IDN2_OK)
		return alabel_fail(out, size, why, idn2_strerror(rc));
	bad = alabel_check(conv, true);
	if (bad == NULL && strlen(conv) >= size)
		bad = "domain too long";
	if (bad != NULL) {
		free(conv);
		return alabel_fail(out, size, why, bad);
	}
	alabel_lower_copy(out, conv);
	free(conv);
	return true;
}
