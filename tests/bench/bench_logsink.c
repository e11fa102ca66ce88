/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_logsink: a /dev/log that reads and drops every datagram, for
 * `make bench`, which runs the milter in a mount namespace whose /dev/log
 * is this socket: the machine may have no syslog daemon, and glibc's
 * syslog() then tries to reconnect (socket, connect, close) under its
 * lock for every line, a cost no production host with syslog pays.
 *
 *   bench_logsink PATH
 *
 * Binds a unix datagram socket at PATH (mode 0666), prints "ready" once
 * it does, and on SIGTERM or SIGINT prints "lines N" (datagrams read),
 * removes PATH and exits 0. Dropping the lines is the cheapest a syslog
 * daemon can be, so what the milter spends on logging is its own part.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static volatile sig_atomic_t sink_stop;

static void
sink_on_signal(int sig)
{
	(void)sig;
	sink_stop = 1;
}

int
main(int argc, char *argv[])
{
	struct sockaddr_un sun;
	struct sigaction sa;
	char buf[8192];
	unsigned long lines = 0;
	int fd, rcvbuf = 4 << 20;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: bench_logsink PATH\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sink_on_signal; /* no SA_RESTART: recv must return */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, argv[1], strlen(argv[1]) + 1);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    chmod(argv[1], 0666) != 0) {
		fprintf(stderr, "bench_logsink: %s: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	printf("ready\n");
	fflush(stdout);
	while (!sink_stop) {
		if (recv(fd, buf, sizeof(buf), 0) >= 0)
			lines++;
		else if (errno != EINTR) {
			fprintf(stderr, "bench_logsink: recv: %s\n",
			    strerror(errno));
			break;
		}
	}
	unlink(argv[1]);
	printf("lines %lu\n", lines);
	return 0;
}
