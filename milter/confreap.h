/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * confreap: frees released configurations off the mail path.
 *
 * A reload parses and indexes the new file on the reload thread and swaps
 * it in with one pointer under a short lock (filter.h); but a message
 * holds a reference to the configuration it started with, so the last
 * reference to the old one is often dropped by a milter thread. With
 * 100,000 identities that is some 200,000 frees in the middle of a
 * message. Once confreap_start() has run, conf_unref() instead puts the
 * configuration on a list (O(1), no allocation) and this module's thread
 * frees it.
 */
#ifndef CONFREAP_H
#define CONFREAP_H

#include <stdbool.h>

/* False, logged, if the thread cannot start: frees stay where they were. */
bool confreap_start(void);
/* Frees what is listed and ends the thread; conf_unref() frees at once again. */
void confreap_stop(void);

#endif
