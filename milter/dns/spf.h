/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf: whether a MAIL FROM domain's TXT records publish the SPF record SES
 * needs: exactly one record starting "v=spf1" (RFC 7208 4.5: more than
 * one is a permanent error), with an "include:" of SES's domain that an
 * evaluation reaches (before any "all" and not negated by a qualifier).
 *
 * Pure: the TXT records in (each the concatenation of its strings), a
 * verdict out; no I/O, no allocation.
 */
#ifndef SPF_H
#define SPF_H

#include <stddef.h>

#define SPF_SES_INCLUDE "amazonses.com"
#define SPF_SES_RECORD "v=spf1 include:" SPF_SES_INCLUDE " ~all"

enum spf_result {
	SPF_OK,
	SPF_NONE,       /* no v=spf1 record */
	SPF_MULTIPLE,   /* more than one v=spf1 record */
	SPF_NO_INCLUDE, /* the record lacks the include, or never
				   reaches it */
};

/*
 * The verdict on RECORDS[0..N) for an include of DOMAIN (SPF_SES_INCLUDE
 * for SES; case and one final dot do not matter). *SPF (may be NULL) is
 * set to the one v=spf1 record, when there is exactly one.
 */
enum spf_result spf_check(
    const char *const *records, size_t n, const char *domain, const char **spf);

/* "ok", "none", "multiple", "no-include". */
const char *spf_result_name(enum spf_result);

#endif
