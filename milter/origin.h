/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * origin: whether a milter connection brings locally submitted mail
 * (sendmail(1)), which the filter audits but never refuses: there is no
 * SMTP client to tell, and a refusal would strand the mail in Postfix's
 * maildrop or make Sendmail's MSP bounce it to the sender.
 *
 * Pure: the connect macros and the client's port in, yes or no out; the
 * filter gathers them at connect (filter.c).
 */
#ifndef ORIGIN_H
#define ORIGIN_H

#include <stdbool.h>

struct origin_in {
	const char *mta;           /* macro v ("Postfix 3.7.11"), or NULL */
	int port;                  /* the client's TCP port; -1 if not TCP */
	const char *daemon_name;   /* macro {daemon_name}, or NULL */
	const char *local_daemons; /* [milter] local_daemons, space-separated */
};

bool origin_is_local(const struct origin_in *);

#endif
