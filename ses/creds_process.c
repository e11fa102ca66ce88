/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ses/clock.h"
#include "ses/creds_process.h"
#include "ses/errbuf.h"

#define SRC "custom-process"

extern char **environ;

/*
 * shlex in POSIX mode: blanks split words; '...' keeps everything; "..."
 * keeps everything but a backslash before '"' or '\'; a backslash outside
 * quotes takes the next character literally. Quotes join with what is
 * around them ('a'"b"c is one word abc), and '' is an empty word.
 */
int
creds_process_split(const char *cmd, char ***argvp)
{
	size_t len = strlen(cmd), nargs = 0, i;
	char **argv, *out, quote = 0;
	int in_word = 0;

	*argvp = NULL;
	/* Room for every pointer a word could need, then the bytes. */
	argv = malloc((CREDS_PROCESS_MAX_ARGS + 1) * sizeof(char *) + len + 1 +
	    CREDS_PROCESS_MAX_ARGS);
	if (argv == NULL)
		return -1;
	out = (char *)(argv + CREDS_PROCESS_MAX_ARGS + 1);
	for (i = 0; i <= len; i++) {
		char c = cmd[i];

		if (quote == 0 && (c == '\0' || strchr(" \t\r\n", c))) {
			if (in_word) {
				*out++ = '\0';
				in_word = 0;
			}
			continue;
		}
		if (c == '\0')
			goto bad; /* inside quotes */
		if (!in_word) {
			if (nargs == CREDS_PROCESS_MAX_ARGS)
				goto bad;
			argv[nargs++] = out;
			in_word = 1;
		}
		if (quote == 0 && (c == '\'' || c == '"')) {
			quote = c;
		} else if (quote != 0 && c == quote) {
			quote = 0;
		} else if (c == '\\' && quote != '\'') {
			if (cmd[i + 1] == '\0')
				goto bad;
			if (quote == '"' && cmd[i + 1] != '"' &&
			    cmd[i + 1] != '\\')
				*out++ = c;
			else
				*out++ = cmd[++i];
		} else
			*out++ = c;
	}
	if (nargs == 0)
		goto bad;
	argv[nargs] = NULL;
	*argvp = argv;
	return 0;
bad:
	free(argv);
	errno = EINVAL;
	return -1;
}

enum creds_status
creds_process_parse(
    const char *json, size_t len, struct creds *out, char *err, size_t errlen)
{
	static const char *const keys[] = { "AccessKeyId", "SecretAccessKey" };
	json_t *root, *v;
	json_error_t je;
	const char *val[2], *tok = NULL, *exp_s;
	enum creds_status st = CREDS_EFETCH;
	time_t exp = 0;
	size_t i;

	memset(out, 0, sizeof(*out));
	/* je.text may quote the output: it never reaches a message. */
	if ((root = json_loadb(json, len, 0, &je)) == NULL ||
	    !json_is_object(root)) {
		errbuf_set(err, errlen,
		    "Error when retrieving credentials from " SRC
		    ": the process's output is not a JSON object");
		goto done;
	}
	v = json_object_get(root, "Version");
	if (!(json_is_integer(v) && json_integer_value(v) == 1) &&
	    !(json_is_real(v) && json_real_value(v) == 1.0)) {
		errbuf_set(err, errlen,
		    "Error when retrieving credentials from " SRC
		    ": Unsupported version '%s' for credential process "
		    "provider, supported versions: 1",
		    v == NULL ? "<Version key not provided>" : "(not 1)");
		goto done;
	}
	for (i = 0; i < 2; i++)
		if ((val[i] = json_string_value(
			 json_object_get(root, keys[i]))) == NULL) {
			errbuf_set(err, errlen,
			    "Error when retrieving credentials from " SRC
			    ": Missing required key in response: '%s'",
			    keys[i]);
			goto done;
		}
	if ((v = json_object_get(root, "SessionToken")) != NULL &&
	    !json_is_null(v))
		tok = json_string_value(v);
	if ((v = json_object_get(root, "Expiration")) != NULL &&
	    !json_is_null(v) &&
	    ((exp_s = json_string_value(v)) == NULL ||
		creds_parse_time(exp_s, &exp) == -1)) {
		errbuf_set(err, errlen,
		    "Error when retrieving credentials from " SRC
		    ": the Expiration is not an ISO 8601 time");
		goto done;
	}
	st = creds_set(
	    out, val[0], val[1], tok, exp, CREDS_SOURCE_PROCESS, err, errlen);
done:
	json_decref(root);
	return st;
}

/*
 * Reads the child's output until EOF, DEADLINE or CANCEL. 0, or -1 (errno;
 * ECANCELED for CANCEL).
 */
static int
read_output(int fd, int64_t deadline, const struct ses_cancel *cancel,
    char *buf, size_t max, size_t *lenp)
{
	struct pollfd pfd[2] = { { fd, POLLIN, 0 },
		{ ses_cancel_fd(cancel), POLLIN, 0 } };
	int64_t left;
	ssize_t n;

	*lenp = 0;
	for (;;) {
		if (ses_cancel_fired(cancel)) {
			errno = ECANCELED;
			return -1;
		}
		left = (deadline - clock_now_ns()) / 1000000;
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		/* a negative fd (no canceller) is ignored by poll() */
		if (poll(pfd, 2, (int)left) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (pfd[0].revents == 0)
			continue;
		n = read(fd, buf + *lenp, max - *lenp);
		if (n == 0)
			return 0;
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		*lenp += (size_t)n;
		if (*lenp == max) {
			errno = EFBIG;
			return -1;
		}
	}
}

enum creds_status
creds_process_run(const char *cmd, int timeout, const struct ses_cancel *cancel,
    struct creds *out, char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	pid_t pid;
	char **argv = NULL, *buf = NULL;
	int pfd[2] = { -1, -1 }, status, rc, e;
	size_t len = 0;
	enum creds_status st = CREDS_EFETCH;

	memset(out, 0, sizeof(*out));
	if (creds_process_split(cmd, &argv) == -1) {
		if (errno == ENOMEM)
			goto nomem;
		errbuf_set(err, errlen,
		    "Error when retrieving credentials from " SRC
		    ": credential_process is not a command line "
		    "(an unclosed quote, or empty)");
		return CREDS_EINVALID;
	}
	if ((buf = malloc(CREDS_PROCESS_MAX_OUTPUT + 1)) == NULL)
		goto nomem;
	if (pipe2(pfd, O_CLOEXEC) == -1 ||
	    posix_spawn_file_actions_init(&fa) != 0) {
		errbuf_set(err, errlen,
		    "Error when retrieving credentials from " SRC ": %s",
		    strerror(errno));
		goto done;
	}
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	/*
	 * The daemon's threads block SIGTERM and friends for libmilter, and
	 * it ignores SIGPIPE (an exec keeps both): the helper starts with no
	 * signal blocked and SIGPIPE's default, as from a shell.
	 */
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	if ((rc = posix_spawnattr_init(&attr)) == 0) {
		posix_spawnattr_setsigmask(&attr, &none);
		posix_spawnattr_setsigdefault(&attr, &dfl);
		posix_spawnattr_setflags(
		    &attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
		rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
		posix_spawnattr_destroy(&attr);
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	pfd[1] = -1;
	if (rc != 0) {
		errbuf_set(err, errlen,
		    "Error when retrieving credentials from " SRC
		    ": cannot run %.200s: %s",
		    argv[0], strerror(rc));
		goto done;
	}
	rc = read_output(pfd[0], clock_now_ns() + (int64_t)timeout * CLOCK_NSEC,
	    cancel, buf, CREDS_PROCESS_MAX_OUTPUT, &len);
	e = errno;
	if (rc == -1)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (rc == -1) {
		errbuf_set(err, errlen,
		    "Error when retrieving credentials from " SRC ": %.200s %s",
		    argv[0],
		    e == ETIMEDOUT   ? "did not finish in time and was killed"
			: e == EFBIG ? "wrote too much and was killed"
			: e == ECANCELED ? "was killed: the program is stopping"
					 : strerror(e));
		goto done;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		errbuf_set(err, errlen,
		    "Error when retrieving credentials from " SRC
		    ": %.200s %s %d",
		    argv[0],
		    WIFEXITED(status) ? "exited with status"
				      : "was killed by signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		goto done;
	}
	st = creds_process_parse(buf, len, out, err, errlen);
	goto done;
nomem:
	errbuf_set(err, errlen, "%s", strerror(ENOMEM));
	st = CREDS_ENOMEM;
done:
	if (pfd[0] != -1)
		close(pfd[0]);
	if (pfd[1] != -1)
		close(pfd[1]);
	if (buf != NULL) {
		explicit_bzero(buf, len);
		free(buf);
	}
	free(argv);
	return st;
}
