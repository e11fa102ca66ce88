/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * alabel: a domain name in the form SES and the DNS know it, the A-label
 * form: IDNA2008 with the UTS #46 mapping, non-transitional (libidn2), so
 * that "müller.example", "MÜLLER.example" and "xn--mller-kva.example" are
 * all "xn--mller-kva.example".
 *
 * Names without a non-ASCII byte and without an "xn--" label are only
 * lower-cased: their syntax is the caller's to check (addr, conf), and the
 * mail path pays for libidn2 only when a name needs it. Everything else
 * goes through libidn2, which refuses invalid Punycode, disallowed code
 * points, the Bidi rule's mixtures and labels too long once converted.
 *
 * Pure: no I/O, no global state; the caller owns OUT.
 */
#ifndef ALABEL_H
#define ALABEL_H

#include <stdbool.h>
#include <stddef.h>

#define ALABEL_NAME_MAX 253 /* a DNS name in text, without the root dot */
#define ALABEL_LABEL_MAX 63

/* Whether NAME has a U-label or an A-label (anything libidn2 must see). */
bool alabel_needed(const char *name);

/*
 * NAME (UTF-8, NUL-terminated, no root dot) in A-label form, lower-case,
 * into OUT[0..SIZE). True on success; else false with OUT emptied (when
 * SIZE allows) and *WHY a static English reason.
 */
bool alabel_domain(const char *name, char *out, size_t size, const char **why);

#endif
