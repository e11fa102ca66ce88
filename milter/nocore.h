/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nocore: no core file and no ptrace by other accounts, for a process
 * about to hold AWS secrets (keys, session tokens). The daemon applies it
 * first thing and again after the privilege drop (changing user resets
 * the dumpable flag to fs.suid_dumpable); the tool first thing too.
 */
#ifndef NOCORE_H
#define NOCORE_H

#include <stdbool.h>

/* Not dumpable, and a core size limit of 0 (soft and hard); errno if not. */
bool nocore_apply(void);

#endif
