/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_load: a milter client that loads a filter the way Postfix's smtpd
 * does and measures what each message costs (make bench).
 *
 *   bench_load -s SOCKET [-c CONNS] [-m MSGS] [-k PER_CONN] [-n]
 *              [-f SENDERS_FILE] [-F SENDER]... [-r RCPT] [-a USER]
 *              [-x OUTCOME] [-t TIMEOUT_S]
 *
 * SOCKET is libmilter's syntax: unix:/path (local:/path), inet:PORT@HOST,
 * inet6:PORT@HOST. CONNS threads (default 1) each send MSGS messages
 * (default 1000), PER_CONN on one milter connection (default 0: all of
 * them), with SMFIC_ABORT after every message as Postfix sends at the end
 * of each SMTP transaction, and SMFIC_QUIT before closing. -n is -k 1: a
 * new milter connection per message, as Postfix opens one per SMTP session.
 *
 * The protocol is version 6 as Postfix 3.7 speaks it: option negotiation
 * offering every action and protocol bit; the connect macros (j,
 * {daemon_name}, {daemon_addr}, v, _) and SMFIC_CONNECT from 127.0.0.2;
 * HELO; at MAIL i, {mail_addr} and, with -a, {auth_type}/{auth_authen};
 * one RCPT; DATA, three headers, EOH, one body chunk; end of message. Each
 * step the filter declined (SMFIP_NO*) is not sent and a reply it declined
 * (SMFIP_NR_*) is not awaited; SMFIR_SKIP ends the body. Senders come from
 * -F (repeatable) and the lines of -f in turn; "<>" is the null sender.
 *
 * A message's latency runs from its MAIL (macros included) to its final
 * reply: accept/reject/tempfail/discard/replycode at any step, continue at
 * end of message, with modification replies and progress before it.
 * Output: a readable summary, then one line for scripts:
 *   RESULT conns=C msgs=N secs=S mps=R p50_us= p90_us= p99_us= max_us=
 *          over_10ms= over_100ms= over_1s=
 *          accept= reject= tempfail= discard= connfail= shutdown=
 *          version= actions=0x protocol=0x
 *
 * Exit: 0; 1 on a protocol error, an unexpected disconnect or a timeout
 * (loudly, naming the thread and the step); 2 on bad usage; 3 if -x was
 * given and some message ended otherwise (accept, reject, tempfail,
 * discard).
 */
#include <errno.h>
#include <libmilter/mfapi.h> /* SMFIF_*; it includes mfdef.h, the wire constants */
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define LOAD_CONNS_MAX 1024
#define LOAD_SENDERS_MAX 4096
#define LOAD_ADDR_MAX 512
#define LOAD_OUT_MAX 8192
/* A reply's length word, then at most a 64 KiB body chunk and its command. */
#define LOAD_IN_MAX (MILTER_LEN_BYTES + MILTER_CHUNK_SIZE + 1)
#define LOAD_VERSION 6
#define LOAD_PROTO_ACCEPTED (SMFI_CURR_PROT | SMFIP_MDS_256K | SMFIP_MDS_1M)

enum load_outcome {
	OUT_ACCEPT,
	OUT_REJECT,
	OUT_TEMPFAIL,
	OUT_DISCARD,
	OUT_CONNFAIL,
	OUT_SHUTDOWN,
	OUT_N
};

static const char *const outcome_names[OUT_N] = {
	"accept",
	"reject",
	"tempfail",
	"discard",
	"connfail",
	"shutdown",
};

enum load_step {
	STEP_CONNECT,
	STEP_HELO,
	STEP_MAIL,
	STEP_RCPT,
	STEP_DATA,
	STEP_HEADER,
	STEP_EOH,
	STEP_BODY,
	STEP_EOM,
};

static const char *const step_names[] = {
	"connect",
	"helo",
	"mail",
	"rcpt",
	"data",
	"header",
	"eoh",
	"body",
	"end-of-message",
};

enum load_reply {
	REPLY_CONTINUE,
	REPLY_SKIP,
	REPLY_FINAL
};

struct load_conn {
	int fd;
	uint32_t version, actions, proto;
	bool refused;              /* a final reply at connect or HELO */
	enum load_outcome verdict; /* ... which then holds for every message */
	unsigned char out[LOAD_OUT_MAX];
	size_t olen, pkt;
	bool overflow;
	unsigned char in[LOAD_IN_MAX];
	size_t ibeg, iend;
};

struct load_worker {
	int index;
	pthread_t tid;
	uint64_t *lat_ns;
	size_t nlat;
	unsigned long outcomes[OUT_N];
	unsigned long replies[256];
	uint32_t version, actions, proto; /* the last negotiation */
	bool failed;
	char err[320];
	struct load_conn conn;
};

static struct sockaddr_storage target;
static socklen_t target_len;
static const char *target_spec;
static const char *senders[LOAD_SENDERS_MAX];
static size_t nsenders;
static const char *rcpt = "rcpt@bench.test";
static const char *auth_user;
static long nmsgs = 1000, per_conn;
static int nconns = 1, timeout_s = 30;
static pthread_barrier_t start_line;
static atomic_bool stopping;

static bool
fail(struct load_worker *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(w->err, sizeof(w->err), "thread %d: ", w->index);
	va_start(ap, fmt);
	vsnprintf(w->err + n, sizeof(w->err) - n, fmt, ap);
	va_end(ap);
	w->failed = true;
	atomic_store(&stopping, true);
	return false;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- writing packets: length, command, data, built in conn->out ---- */

static void
put(struct load_conn *c, const void *p, size_t len)
{
	if (c->overflow || len > sizeof(c->out) - c->olen) {
		c->overflow = true;
		return;
	}
	memcpy(c->out + c->olen, p, len);
	c->olen += len;
}

static void
put_u32(struct load_conn *c, uint32_t v)
{
	unsigned char b[4] = { v >> 24, v >> 16, v >> 8, v };

	put(c, b, sizeof(b));
}

static void
put_str(struct load_conn *c, const char *s)
{
	put(c, s, strlen(s) + 1);
}

static void
pkt_begin(struct load_conn *c, char cmd)
{
	c->pkt = c->olen;
	put_u32(c, 0);
	put(c, &cmd, 1);
}

static void
pkt_end(struct load_conn *c)
{
	uint32_t len;

	if (c->overflow)
		return;
	len = (uint32_t)(c->olen - c->pkt - MILTER_LEN_BYTES);
	c->out[c->pkt] = len >> 24;
	c->out[c->pkt + 1] = len >> 16;
	c->out[c->pkt + 2] = len >> 8;
	c->out[c->pkt + 3] = len;
}

/* SMFIC_MACRO for the command `for`: NULL-terminated name, value pairs. */
static void
put_macros(struct load_conn *c, char cmd_for, const char *const *kv)
{
	pkt_begin(c, SMFIC_MACRO);
	put(c, &cmd_for, 1);
	for (; kv[0] != NULL; kv += 2) {
		put_str(c, kv[0]);
		put_str(c, kv[1]);
	}
	pkt_end(c);
}

static bool
flush(struct load_worker *w, struct load_conn *c, enum load_step step)
{
	size_t off = 0;
	ssize_t n;

	if (c->overflow)
		return fail(w, "%s: command too long for the output buffer",
		    step_names[step]);
	while (off < c->olen) {
		n = send(c->fd, c->out + off, c->olen - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(w, "%s: send: %s (filter gone?)",
			    step_names[step],
			    errno == EAGAIN ? "timed out" : strerror(errno));
		off += (size_t)n;
	}
	c->olen = 0;
	return true;
}

/* ---- reading replies ---- */

static bool
fill(struct load_worker *w, struct load_conn *c, size_t need,
    enum load_step step)
{
	ssize_t n;

	if (c->iend - c->ibeg >= need)
		return true;
	if (c->ibeg > 0) {
		memmove(c->in, c->in + c->ibeg, c->iend - c->ibeg);
		c->iend -= c->ibeg;
		c->ibeg = 0;
	}
	while (c->iend < need) {
		n = recv(c->fd, c->in + c->iend, sizeof(c->in) - c->iend, 0);
		if (n == 0)
			return fail(w,
			    "%s: the filter closed the connection while a reply "
			    "was due",
			    step_names[step]);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return fail(w, "%s: no reply within %d s",
			    step_names[step], timeout_s);
		if (n < 0)
			return fail(w, "%s: recv: %s", step_names[step],
			    strerror(errno));
		c->iend += (size_t)n;
	}
	return true;
}

/* One packet; *data stays valid until the next read. */
static bool
read_packet(struct load_worker *w, struct load_conn *c, enum load_step step,
    unsigned char *cmd, const unsigned char **data, size_t *dlen)
{
	const unsigned char *p;
	uint32_t len;

	if (!fill(w, c, MILTER_LEN_BYTES, step))
		return false;
	p = c->in + c->ibeg;
	len = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	if (len == 0 || len > sizeof(c->in) - MILTER_LEN_BYTES)
		return fail(w, "%s: protocol error: reply length %u",
		    step_names[step], len);
	if (!fill(w, c, MILTER_LEN_BYTES + len, step))
		return false;
	p = c->in + c->ibeg;
	*cmd = p[MILTER_LEN_BYTES];
	*data = p + MILTER_LEN_BYTES + 1;
	*dlen = len - 1;
	c->ibeg += MILTER_LEN_BYTES + len;
	return true;
}

/* The SMFIF_* action a modification reply needs; 0 for other replies. */
static uint32_t
modification_action(unsigned char cmd)
{
	switch (cmd) {
	case SMFIR_ADDHEADER:
	case SMFIR_INSHEADER:
		return SMFIF_ADDHDRS;
	case SMFIR_CHGHEADER:
		return SMFIF_CHGHDRS;
	case SMFIR_ADDRCPT:
		return SMFIF_ADDRCPT;
	case SMFIR_ADDRCPT_PAR:
		return SMFIF_ADDRCPT_PAR;
	case SMFIR_DELRCPT:
		return SMFIF_DELRCPT;
	case SMFIR_REPLBODY:
		return SMFIF_CHGBODY;
	case SMFIR_CHGFROM:
		return SMFIF_CHGFROM;
	case SMFIR_QUARANTINE:
		return SMFIF_QUARANTINE;
	default:
		return 0;
	}
}

/* A string reply must hold a NUL-terminated string. */
static bool
has_string(const unsigned char *data, size_t dlen)
{
	return dlen > 0 && memchr(data, '\0', dlen) != NULL;
}

/*
 * Reads replies to one step until one that lets the MTA go on: continue,
 * skip (body only), or a final one in *out. Modification replies are only
 * legal at end of message and only for actions the filter negotiated.
 */
static bool
await_reply(struct load_worker *w, struct load_conn *c, enum load_step step,
    enum load_reply *res, enum load_outcome *out)
{
	const unsigned char *data;
	unsigned char cmd;
	size_t dlen;
	uint32_t need;

	for (;;) {
		if (!read_packet(w, c, step, &cmd, &data, &dlen))
			return false;
		w->replies[cmd]++;
		*res = REPLY_FINAL;
		switch (cmd) {
		case SMFIR_CONTINUE:
			if (step == STEP_EOM) {
				*out = OUT_ACCEPT;
				return true;
			}
			*res = REPLY_CONTINUE;
			return true;
		case SMFIR_ACCEPT:
			*out = OUT_ACCEPT;
			return true;
		case SMFIR_REJECT:
			*out = OUT_REJECT;
			return true;
		case SMFIR_TEMPFAIL:
			*out = OUT_TEMPFAIL;
			return true;
		case SMFIR_DISCARD:
			*out = OUT_DISCARD;
			return true;
		case SMFIR_CONN_FAIL:
			*out = OUT_CONNFAIL;
			return true;
		case SMFIR_SHUTDOWN:
			*out = OUT_SHUTDOWN;
			return true;
		case SMFIR_REPLYCODE:
			if (!has_string(data, dlen) || dlen < 4 ||
			    (data[0] != '4' && data[0] != '5') ||
			    data[1] < '0' || data[1] > '9' || data[2] < '0' ||
			    data[2] > '9' ||
			    (data[3] != ' ' && data[3] != '-' &&
				data[3] != '\0'))
				return fail(w,
				    "%s: protocol error: bad reply code \"%.*s\"",
				    step_names[step],
				    (int)(dlen > 40 ? 40 : dlen), data);
			*out = data[0] == '5' ? OUT_REJECT : OUT_TEMPFAIL;
			return true;
		case SMFIR_PROGRESS:
			continue;
		case SMFIR_SKIP:
			if (step != STEP_BODY || !(c->proto & SMFIP_SKIP))
				return fail(w,
				    "%s: protocol error: skip outside the body "
				    "or not negotiated",
				    step_names[step]);
			*res = REPLY_SKIP;
			return true;
		default:
			if ((need = modification_action(cmd)) == 0)
				return fail(w,
				    "%s: protocol error: unknown reply '%c' (0x%02x)",
				    step_names[step],
				    cmd >= 0x20 && cmd < 0x7f ? cmd : '?', cmd);
			if (step != STEP_EOM)
				return fail(w,
				    "%s: protocol error: modification '%c' before "
				    "end of message",
				    step_names[step], cmd);
			if (!(c->actions & need))
				return fail(w,
				    "%s: protocol error: modification '%c' without "
				    "negotiating action 0x%x",
				    step_names[step], cmd, need);
			if (cmd != SMFIR_REPLBODY && cmd != SMFIR_QUARANTINE &&
			    cmd != SMFIR_CHGHEADER && !has_string(data, dlen))
				return fail(w,
				    "%s: protocol error: modification '%c' without "
				    "its argument",
				    step_names[step], cmd);
			continue;
		}
	}
}

/*
 * Sends what is buffered and, unless the filter declined the reply with
 * nr_bit, waits for it.
 */
static bool
step(struct load_worker *w, struct load_conn *c, enum load_step st,
    uint32_t nr_bit, enum load_reply *res, enum load_outcome *out)
{
	*res = REPLY_CONTINUE;
	if (!flush(w, c, st))
		return false;
	if (c->proto & nr_bit)
		return true;
	return await_reply(w, c, st, res, out);
}

/* ---- one connection ---- */

static void
conn_close(struct load_conn *c, bool quit)
{
	if (c->fd < 0)
		return;
	if (quit) {
		pkt_begin(c, SMFIC_QUIT);
		pkt_end(c);
		(void)send(c->fd, c->out, c->olen, MSG_NOSIGNAL);
	}
	close(c->fd);
	c->fd = -1;
	c->olen = 0;
}

static bool
negotiate(struct load_worker *w, struct load_conn *c)
{
	const unsigned char *d;
	unsigned char cmd;
	size_t dlen;

	pkt_begin(c, SMFIC_OPTNEG);
	put_u32(c, LOAD_VERSION);
	put_u32(c, SMFI_CURR_ACTS);
	put_u32(c, SMFI_CURR_PROT);
	pkt_end(c);
	if (!flush(w, c, STEP_CONNECT) ||
	    !read_packet(w, c, STEP_CONNECT, &cmd, &d, &dlen))
		return false;
	if (cmd != SMFIC_OPTNEG || dlen < MILTER_OPTLEN)
		return fail(w,
		    "negotiation: protocol error: reply '%c' of %zu bytes",
		    cmd >= 0x20 && cmd < 0x7f ? cmd : '?', dlen);
	c->version = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
	    (uint32_t)d[2] << 8 | d[3];
	c->actions = (uint32_t)d[4] << 24 | (uint32_t)d[5] << 16 |
	    (uint32_t)d[6] << 8 | d[7];
	c->proto = (uint32_t)d[8] << 24 | (uint32_t)d[9] << 16 |
	    (uint32_t)d[10] << 8 | d[11];
	if (c->version < 2 || c->version > LOAD_VERSION)
		return fail(
		    w, "negotiation: filter speaks version %u", c->version);
	if (c->actions & ~(uint32_t)SMFI_CURR_ACTS)
		return fail(w,
		    "negotiation: filter wants actions 0x%x not offered",
		    c->actions);
	if (c->proto & ~(uint32_t)LOAD_PROTO_ACCEPTED)
		return fail(w,
		    "negotiation: filter wants protocol bits 0x%x not offered",
		    c->proto);
	w->version = c->version;
	w->actions = c->actions;
	w->proto = c->proto;
	return true;
}

static bool
conn_open(struct load_worker *w, struct load_conn *c)
{
	static const char *const connect_macros[] = {
		"j",
		"mta.bench.test",
		"{daemon_name}",
		"smtpd",
		"{daemon_addr}",
		"127.0.0.1",
		"v",
		"Postfix 3.7.11",
		"_",
		"client.bench.test [127.0.0.2]",
		NULL,
	};
	struct timeval tv = { .tv_sec = timeout_s };
	enum load_reply res;
	enum load_outcome out;
	unsigned char port[2] = { 0xc3, 0x50 }; /* 50000, a client's port */

	c->refused = false;
	c->olen = c->ibeg = c->iend = 0;
	c->overflow = false;
	if ((c->fd = socket(target.ss_family, SOCK_STREAM, 0)) < 0)
		return fail(w, "socket: %s", strerror(errno));
	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0)
		return fail(w, "setsockopt: %s", strerror(errno));
	if (connect(c->fd, (struct sockaddr *)&target, target_len) != 0)
		return fail(w, "connect %s: %s", target_spec, strerror(errno));
	if (!negotiate(w, c))
		return false;

	if (!(c->proto & SMFIP_NOCONNECT)) {
		put_macros(c, SMFIC_CONNECT, connect_macros);
		pkt_begin(c, SMFIC_CONNECT);
		put_str(c, "client.bench.test");
		put(c, (char[]){ SMFIA_INET }, 1);
		put(c, port, sizeof(port));
		put_str(c, "127.0.0.2");
		pkt_end(c);
		if (!step(w, c, STEP_CONNECT, SMFIP_NR_CONN, &res, &out))
			return false;
		if (res == REPLY_FINAL) {
			c->refused = true;
			c->verdict = out;
			return true;
		}
	}
	if (!(c->proto & SMFIP_NOHELO)) {
		pkt_begin(c, SMFIC_HELO);
		put_str(c, "client.bench.test");
		pkt_end(c);
		if (!step(w, c, STEP_HELO, SMFIP_NR_HELO, &res, &out))
			return false;
		if (res == REPLY_FINAL) {
			c->refused = true;
			c->verdict = out;
		}
	}
	return true;
}

/* ---- one message ---- */

static bool
message(struct load_worker *w, struct load_conn *c, const char *sender,
    const char *qid, enum load_outcome *out)
{
	static const char *const headers[][2] = {
		{ "From", "Bench <bench@bench.test>" },
		{ "Subject", "make bench" },
		{ "Message-ID", "<bench@bench.test>" },
	};
	static const char body[] = "A message from bench_load.\r\n";
	const char *mail_macros[12];
	const char *qid_macro[] = { "i", qid, NULL };
	const char *rcpt_macros[] = {
		"i",
		qid,
		"{rcpt_addr}",
		rcpt,
		"{rcpt_host}",
		"127.0.0.1",
		"{rcpt_mailer}",
		"smtp",
		NULL,
	};
	char arg[LOAD_ADDR_MAX + 3];
	enum load_reply res;
	size_t i, n = 0;

	*out = OUT_ACCEPT;
	mail_macros[n++] = "i";
	mail_macros[n++] = qid;
	if (auth_user != NULL) {
		mail_macros[n++] = "{auth_type}";
		mail_macros[n++] = "PLAIN";
		mail_macros[n++] = "{auth_authen}";
		mail_macros[n++] = auth_user;
	}
	mail_macros[n++] = "{mail_addr}";
	mail_macros[n++] = sender;
	mail_macros[n] = NULL;

	if (!(c->proto & SMFIP_NOMAIL)) {
		put_macros(c, SMFIC_MAIL, mail_macros);
		snprintf(arg, sizeof(arg), "<%s>", sender);
		pkt_begin(c, SMFIC_MAIL);
		put_str(c, arg);
		pkt_end(c);
		if (!step(w, c, STEP_MAIL, SMFIP_NR_MAIL, &res, out))
			return false;
		if (res == REPLY_FINAL)
			return true;
	}
	if (!(c->proto & SMFIP_NORCPT)) {
		put_macros(c, SMFIC_RCPT, rcpt_macros);
		snprintf(arg, sizeof(arg), "<%s>", rcpt);
		pkt_begin(c, SMFIC_RCPT);
		put_str(c, arg);
		pkt_end(c);
		if (!step(w, c, STEP_RCPT, SMFIP_NR_RCPT, &res, out))
			return false;
		if (res == REPLY_FINAL)
			return true;
	}
	if (!(c->proto & SMFIP_NODATA)) {
		put_macros(c, SMFIC_DATA, qid_macro);
		pkt_begin(c, SMFIC_DATA);
		pkt_end(c);
		if (!step(w, c, STEP_DATA, SMFIP_NR_DATA, &res, out))
			return false;
		if (res == REPLY_FINAL)
			return true;
	}
	if (!(c->proto & SMFIP_NOHDRS)) {
		for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
			pkt_begin(c, SMFIC_HEADER);
			put_str(c, headers[i][0]);
			put_str(c, headers[i][1]);
			pkt_end(c);
			if (!step(w, c, STEP_HEADER, SMFIP_NR_HDR, &res, out))
				return false;
			if (res == REPLY_FINAL)
				return true;
		}
	}
	if (!(c->proto & SMFIP_NOEOH)) {
		put_macros(c, SMFIC_EOH, qid_macro);
		pkt_begin(c, SMFIC_EOH);
		pkt_end(c);
		if (!step(w, c, STEP_EOH, SMFIP_NR_EOH, &res, out))
			return false;
		if (res == REPLY_FINAL)
			return true;
	}
	if (!(c->proto & SMFIP_NOBODY)) {
		pkt_begin(c, SMFIC_BODY);
		put(c, body, sizeof(body) - 1);
		pkt_end(c);
		if (!step(w, c, STEP_BODY, SMFIP_NR_BODY, &res, out))
			return false;
		if (res == REPLY_FINAL)
			return true;
	}
	put_macros(c, SMFIC_BODYEOB, qid_macro);
	pkt_begin(c, SMFIC_BODYEOB);
	pkt_end(c);
	if (!flush(w, c, STEP_EOM))
		return false;
	return await_reply(w, c, STEP_EOM, &res, out);
}

static void *
worker_main(void *arg)
{
	struct load_worker *w = arg;
	struct load_conn *c = &w->conn;
	enum load_outcome out;
	char qid[24];
	long j, on_conn = 0;
	size_t k;
	uint64_t t0;

	c->fd = -1;
	pthread_barrier_wait(&start_line);
	for (j = 0; j < nmsgs && !atomic_load(&stopping); j++) {
		if (c->fd < 0 && !conn_open(w, c))
			break;
		k = ((size_t)w->index * (size_t)nmsgs + (size_t)j) % nsenders;
		snprintf(qid, sizeof(qid), "B%03X%07lX", (unsigned)w->index,
		    (unsigned long)j);
		if (c->refused)
			out = c->verdict;
		else {
			t0 = now_ns();
			if (!message(w, c, senders[k], qid, &out))
				break;
			w->lat_ns[w->nlat++] = now_ns() - t0;
			/* Postfix's mail_reset() after every transaction. */
			pkt_begin(c, SMFIC_ABORT);
			pkt_end(c);
			if (!flush(w, c, STEP_EOM))
				break;
		}
		w->outcomes[out]++;
		on_conn++;
		if (out == OUT_CONNFAIL || out == OUT_SHUTDOWN) {
			conn_close(c, false);
			on_conn = 0;
		} else if (per_conn > 0 && on_conn >= per_conn) {
			conn_close(c, true);
			on_conn = 0;
		}
	}
	conn_close(c, !w->failed);
	return NULL;
}

/* ---- set-up and the report ---- */

static bool
parse_target(const char *spec)
{
	struct addrinfo hints, *ai;
	struct sockaddr_un *sun = (struct sockaddr_un *)&target;
	const char *path = NULL, *at;
	char port[16];
	int family;

	if (strncmp(spec, "unix:", 5) == 0 || strncmp(spec, "local:", 6) == 0)
		path = strchr(spec, ':') + 1;
	else if (spec[0] == '/')
		path = spec;
	if (path != NULL) {
		if (strlen(path) >= sizeof(sun->sun_path))
			return false;
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, path);
		target_len = sizeof(*sun);
		return true;
	}
	if (strncmp(spec, "inet:", 5) == 0)
		family = AF_INET;
	else if (strncmp(spec, "inet6:", 6) == 0)
		family = AF_INET6;
	else
		return false;
	spec = strchr(spec, ':') + 1;
	if ((at = strchr(spec, '@')) == NULL ||
	    (size_t)(at - spec) >= sizeof(port) || at == spec)
		return false;
	memcpy(port, spec, (size_t)(at - spec));
	port[at - spec] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if (getaddrinfo(at + 1, port, &hints, &ai) != 0)
		return false;
	memcpy(&target, ai->ai_addr, ai->ai_addrlen);
	target_len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return true;
}

static bool
add_sender(const char *s)
{
	if (nsenders == LOAD_SENDERS_MAX || strlen(s) > LOAD_ADDR_MAX)
		return false;
	if (strcmp(s, "<>") == 0)
		s = "";
	senders[nsenders++] = s;
	return true;
}

/* Senders from a file, one a line; the lines stay allocated for the run. */
static bool
read_senders(const char *path)
{
	FILE *fp;
	char *line = NULL, *copy;
	size_t cap = 0;
	ssize_t len;
	bool ok = true;

	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "bench_load: %s: %s\n", path, strerror(errno));
		return false;
	}
	while (ok && (len = getline(&line, &cap, fp)) >= 0) {
		while (
		    len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if ((copy = strdup(line)) == NULL || !add_sender(copy)) {
			fprintf(stderr,
			    "bench_load: %s: too many senders or one too long\n",
			    path);
			free(copy);
			ok = false;
		}
	}
	free(line);
	fclose(fp);
	return ok;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest sample with at least p% of them at or below it. */
static double
percentile_us(const uint64_t *v, size_t n, double p)
{
	size_t rank;

	if (n == 0)
		return 0;
	rank = (size_t)(p / 100.0 * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return (double)v[rank - 1] / 1000.0;
}

/* How many of the sorted latencies V[0..N) (ns) exceed NS: slow messages
 * counted, as one maximum says little about stalls. */
static size_t
count_over(const uint64_t *v, size_t n, uint64_t ns)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (v[mid] > ns)
			hi = mid;
		else
			lo = mid + 1;
	}
	return n - lo;
}

static void
report(const unsigned long *outcomes, const unsigned long *replies,
    const uint64_t *lat, size_t nlat, double secs, const struct load_worker *w0)
{
	unsigned long done = 0;
	double p50 = percentile_us(lat, nlat, 50),
	       p90 = percentile_us(lat, nlat, 90);
	double p99 = percentile_us(lat, nlat, 99);
	double max = nlat ? (double)lat[nlat - 1] / 1000.0 : 0.0;
	double mps;
	int o;
	size_t i;

	for (o = 0; o < OUT_N; o++)
		done += outcomes[o];
	mps = secs > 0 ? (double)done / secs : 0;
	printf("bench_load: %d connection(s) x %ld message(s) to %s, ", nconns,
	    nmsgs, target_spec);
	if (per_conn > 0)
		printf("%ld per milter connection\n", per_conn);
	else
		printf("all on one milter connection each\n");
	printf("  messages   %lu in %.3f s: %.1f/s\n", done, secs, mps);
	printf(
	    "  latency us p50 %.1f  p90 %.1f  p99 %.1f  max %.1f (%zu timed)\n",
	    p50, p90, p99, max, nlat);
	printf("  outcomes  ");
	for (o = 0; o < OUT_N; o++)
		if (outcomes[o] != 0)
			printf(" %s %lu", outcome_names[o], outcomes[o]);
	printf("\n  replies   ");
	for (i = 0; i < 256; i++)
		if (replies[i] != 0)
			printf(" '%c' %lu",
			    i >= 0x20 && i < 0x7f ? (int)i : '?', replies[i]);
	printf("\n  filter     version %u actions 0x%x protocol 0x%x\n",
	    w0->version, w0->actions, w0->proto);
	printf(
	    "RESULT conns=%d msgs=%lu secs=%.3f mps=%.1f p50_us=%.1f p90_us=%.1f "
	    "p99_us=%.1f max_us=%.1f over_10ms=%zu over_100ms=%zu over_1s=%zu",
	    nconns, done, secs, mps, p50, p90, p99, max,
	    count_over(lat, nlat, 10000000), count_over(lat, nlat, 100000000),
	    count_over(lat, nlat, 1000000000));
	for (o = 0; o < OUT_N; o++)
		printf(" %s=%lu", outcome_names[o], outcomes[o]);
	printf(
	    " chgfrom=%lu progress=%lu version=%u actions=0x%x protocol=0x%x\n",
	    replies[SMFIR_CHGFROM], replies[SMFIR_PROGRESS], w0->version,
	    w0->actions, w0->proto);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: bench_load -s SOCKET [-c CONNS] [-m MSGS] [-k PER_CONN] [-n]\n"
	    "                  [-f SENDERS_FILE] [-F SENDER]... [-r RCPT] [-a USER]\n"
	    "                  [-x accept|reject|tempfail|discard] [-t TIMEOUT_S]\n");
	exit(2);
}

static long
number(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		usage();
	return v;
}

int
main(int argc, char *argv[])
{
	struct load_worker *workers;
	unsigned long outcomes[OUT_N] = { 0 }, replies[256] = { 0 };
	uint64_t *all, t0, t1;
	size_t nall = 0, i;
	const char *expect = NULL;
	double secs;
	int ch, failed = 0, w, o;
	long unexpected = 0;

	while ((ch = getopt(argc, argv, "a:c:f:F:k:m:nr:s:t:x:")) != -1) {
		switch (ch) {
		case 'a':
			auth_user = optarg;
			break;
		case 'c':
			nconns = (int)number(optarg, 1, LOAD_CONNS_MAX);
			break;
		case 'f':
			if (!read_senders(optarg))
				return 2;
			break;
		case 'F':
			if (!add_sender(optarg))
				usage();
			break;
		case 'k':
			per_conn = number(optarg, 0, 1L << 40);
			break;
		case 'm':
			nmsgs = number(optarg, 1, 1L << 40);
			break;
		case 'n':
			per_conn = 1;
			break;
		case 'r':
			rcpt = optarg;
			break;
		case 's':
			target_spec = optarg;
			break;
		case 't':
			timeout_s = (int)number(optarg, 1, 3600);
			break;
		case 'x':
			expect = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || target_spec == NULL)
		usage();
	if (!parse_target(target_spec)) {
		fprintf(stderr, "bench_load: bad socket %s\n", target_spec);
		return 2;
	}
	if (strlen(rcpt) > LOAD_ADDR_MAX)
		usage();
	if (expect != NULL) {
		for (o = 0; o < OUT_N && strcmp(expect, outcome_names[o]) != 0;
		     o++)
			;
		if (o >
		    OUT_DISCARD) /* connfail and shutdown are never expected */
			usage();
	}
	if (nsenders == 0)
		add_sender("sender@bench.test");

	if ((workers = calloc((size_t)nconns, sizeof(*workers))) == NULL ||
	    (all = malloc((size_t)nconns * (size_t)nmsgs * sizeof(*all))) ==
		NULL) {
		fprintf(stderr, "bench_load: out of memory\n");
		return 1;
	}
	pthread_barrier_init(&start_line, NULL, (unsigned)nconns + 1);
	for (w = 0; w < nconns; w++) {
		workers[w].index = w;
		workers[w].lat_ns = all + (size_t)w * (size_t)nmsgs;
		if ((errno = pthread_create(&workers[w].tid, NULL, worker_main,
			 &workers[w])) != 0) {
			fprintf(stderr, "bench_load: pthread_create: %s\n",
			    strerror(errno));
			return 1;
		}
	}
	pthread_barrier_wait(&start_line);
	t0 = now_ns();
	for (w = 0; w < nconns; w++)
		pthread_join(workers[w].tid, NULL);
	t1 = now_ns();
	secs = (double)(t1 - t0) / 1e9;

	for (w = 0; w < nconns; w++) {
		struct load_worker *lw = &workers[w];

		if (lw->failed) {
			fprintf(stderr, "bench_load: %s\n", lw->err);
			failed++;
		}
		for (o = 0; o < OUT_N; o++)
			outcomes[o] += lw->outcomes[o];
		for (i = 0; i < 256; i++)
			replies[i] += lw->replies[i];
		/* Compacted in place: each thread's samples start at its own slot. */
		memmove(all + nall, lw->lat_ns, lw->nlat * sizeof(*all));
		nall += lw->nlat;
	}
	qsort(all, nall, sizeof(*all), cmp_u64);

	report(outcomes, replies, all, nall, secs, &workers[0]);
	if (expect != NULL)
		for (o = 0; o < OUT_N; o++)
			if (strcmp(outcome_names[o], expect) != 0)
				unexpected += (long)outcomes[o];
	fflush(stdout);
	pthread_barrier_destroy(&start_line);
	free(all);
	free(workers);
	if (failed) {
		fprintf(stderr,
		    "bench_load: FAILED: %d of %d thread(s) stopped on an error\n",
		    failed, nconns);
		return 1;
	}
	if (unexpected > 0) {
		fprintf(stderr,
		    "bench_load: FAILED: %ld message(s) did not end in %s\n",
		    unexpected, expect);
		return 3;
	}
	return 0;
}
