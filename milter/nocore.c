/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/nocore.h"

#include <sys/prctl.h>
#include <sys/resource.h>

bool
nocore_apply(void)
{
	static const struct rlimit none = { 0, 0 };

	return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 &&
	    prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0 &&
	    setrlimit(RLIMIT_CORE, &none) == 0;
}
