/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The MFA code of an assume-role profile with mfa_serial, asked for on the
 * terminal as the AWS CLI does (getpass: the controlling terminal, no echo),
 * so that piped input and output stay the command's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "tool/awscli/cli_int.h"

int
cli_mfa_prompt(void *arg, const char *serial, char *code, size_t n)
{
	struct termios old, quiet;
	ssize_t got;
	size_t len = 0;
	int fd, echo_off;
	char c;

	(void)arg;
	if (n == 0 || (fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	dprintf(fd, "Enter MFA code for %s: ", serial);
	echo_off = tcgetattr(fd, &old) == 0;
	if (echo_off) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		echo_off = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	while ((got = read(fd, &c, 1)) == 1 || (got == -1 && errno == EINTR)) {
		if (got != 1)
			continue;
		if (c == '\n' || c == '\r')
			break;
		if (len + 1 < n)
			code[len++] = c;
	}
	code[len] = '\0';
	if (echo_off)
		(void)tcsetattr(fd, TCSAFLUSH, &old);
	dprintf(fd, "\n"); /* the newline the user typed was not echoed */
	close(fd);
	return len > 0 ? 0 : -1;
}
