/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/sync/state.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "milter/log.h"
#include "ses/errbuf.h"
#include "ses/file.h"

#define STATE_DIR_MODE 0750
#define STATE_FILE_MODE 0640

struct state *
state_new(void)
{
	return calloc(1, sizeof(struct state));
}

static void
state_identity_clear(struct state_identity *id)
{
	sesxml_mail_from_clear(&id->ses);
	free(id->last_error);
}

void
state_free(struct state *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->nids; i++)
		state_identity_clear(&st->ids[i]);
	free(st->ids);
	free(st->last_error);
	free(st);
}

int
state_set(char **field, const char *value)
{
	char *copy = NULL;

	if (value != NULL && (copy = strdup(value)) == NULL)
		return -1;
	free(*field);
	*field = copy;
	return 0;
}

struct state_identity *
state_add(struct state *st, const char *identity)
{
	struct state_identity *id;
	size_t ncap;
	void *p;

	if (st->nids == st->cap) {
		ncap = st->cap != 0 ? st->cap * 2 : 16;
		if ((p = reallocarray(st->ids, ncap, sizeof(*st->ids))) == NULL)
			return NULL;
		st->ids = p;
		st->cap = ncap;
	}
	id = &st->ids[st->nids];
	memset(id, 0, sizeof(*id));
	if ((id->ses.identity = strdup(identity)) == NULL)
		return NULL;
	st->nids++;
	return id;
}

static int
state_identity_cmp(const void *a, const void *b)
{
	const struct state_identity *x = a, *y = b;

	return strcmp(x->ses.identity, y->ses.identity);
}

void
state_sort(struct state *st)
{
	if (st->nids > 1)
		qsort(st->ids, st->nids, sizeof(*st->ids), state_identity_cmp);
}

struct state_identity *
state_find(const struct state *st, const char *identity)
{
	struct state_identity key;

	if (st == NULL || st->nids == 0)
		return NULL;
	key.ses.identity = (char *)identity;
	return bsearch(
	    &key, st->ids, st->nids, sizeof(*st->ids), state_identity_cmp);
}

/* ---- parsing ---- */

/*
 * Cuts S (a malloc'd, NUL-terminated string) to at most MAX bytes,
 * before a UTF-8 sequence, never inside one.
 */
static void
state_cut(char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return;
	for (n = max; n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; n--)
		continue;
	s[n] = '\0';
}

/*
 * A string or null member; absent is null. Longer than MAX bytes is
 * refused, or with CUT (error texts, which only inform) cut to MAX.
 * 0, or -1 (ERR set).
 */
static int
state_get_string(json_t *obj, const char *key, size_t max, bool cut, char **out,
    const char *where, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		errbuf_set(
		    err, errlen, "%s: \"%s\" is not a string", where, key);
		return -1;
	}
	if (json_string_length(v) > max && !cut) {
		errbuf_set(err, errlen, "%s: \"%s\" is over %zu bytes", where,
		    key, max);
		return -1;
	}
	if ((*out = strdup(json_string_value(v))) == NULL) {
		errbuf_set(err, errlen, "out of memory");
		return -1;
	}
	state_cut(*out, max);
	return 0;
}

/* A time in seconds: a non-negative integer; absent is 0. */
static int
state_get_time(json_t *obj, const char *key, time_t *out, const char *where,
    char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);
	json_int_t t;

	*out = 0;
	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || (t = json_integer_value(v)) < 0 ||
	    (uintmax_t)t > (uintmax_t)INT64_MAX / 2) {
		errbuf_set(err, errlen, "%s: \"%s\" is not a time in seconds",
		    where, key);
		return -1;
	}
	*out = (time_t)t;
	return 0;
}

static int
state_parse_identity(
    struct state *st, const char *name, json_t *v, char *err, size_t errlen)
{
	struct state_identity *id;
	json_t *known;

	if (name[0] == '\0' || strlen(name) > STATE_MAX_NAME) {
		errbuf_set(err, errlen,
		    "identities: a name is empty or over %d bytes",
		    STATE_MAX_NAME);
		return -1;
	}
	if (!json_is_object(v)) {
		errbuf_set(err, errlen,
		    "identities: \"%.200s\" is not an object", name);
		return -1;
	}
	if ((id = state_add(st, name)) == NULL) {
		errbuf_set(err, errlen, "out of memory");
		return -1;
	}
	known = json_object_get(v, "known");
	if (known != NULL && !json_is_boolean(known)) {
		errbuf_set(err, errlen,
		    "identity \"%.200s\": \"known\" is not "
		    "true or false",
		    name);
		return -1;
	}
	id->known = known != NULL && json_is_true(known);
	if (state_get_string(v, "mail_from_domain", STATE_MAX_DOMAIN, false,
		&id->ses.mail_from_domain, "identity", err, errlen) == -1 ||
	    state_get_string(v, "status", STATE_MAX_WORD, false,
		&id->ses.status, "identity", err, errlen) == -1 ||
	    state_get_string(v, "behavior", STATE_MAX_WORD, false,
		&id->ses.behavior, "identity", err, errlen) == -1 ||
	    state_get_string(v, "last_error", STATE_MAX_ERROR, true,
		&id->last_error, "identity", err, errlen) == -1 ||
	    state_get_time(
		v, "checked", &id->checked, "identity", err, errlen) == -1 ||
	    state_get_time(v, "reverified", &id->reverified, "identity", err,
		errlen) == -1)
		return -1;
	return 0;
}

int
state_parse(
    const char *buf, size_t len, struct state **out, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root, *v, *ids;
	struct state *st = NULL;
	const char *name;

	*out = NULL;
	if (len > STATE_MAX_FILE) {
		errbuf_set(err, errlen,
		    "over %u bytes, what %u identities need", STATE_MAX_FILE,
		    STATE_MAX_IDENTITIES);
		return -1;
	}
	if ((root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		errbuf_set(err, errlen, "not JSON: line %d, column %d: %s",
		    jerr.line, jerr.column, jerr.text);
		return -1;
	}
	if (!json_is_object(root)) {
		errbuf_set(err, errlen, "not a JSON object");
		goto fail;
	}
	v = json_object_get(root, "version");
	if (!json_is_integer(v) || json_integer_value(v) != STATE_VERSION) {
		errbuf_set(err, errlen, "\"version\" is not %d", STATE_VERSION);
		goto fail;
	}
	if ((st = state_new()) == NULL) {
		errbuf_set(err, errlen, "out of memory");
		goto fail;
	}
	if (state_get_time(root, "last_success", &st->last_success, "state",
		err, errlen) == -1 ||
	    state_get_time(root, "last_attempt", &st->last_attempt, "state",
		err, errlen) == -1 ||
	    state_get_string(root, "last_error", STATE_MAX_ERROR, true,
		&st->last_error, "state", err, errlen) == -1)
		goto fail;
	ids = json_object_get(root, "identities");
	if (ids != NULL && !json_is_object(ids)) {
		errbuf_set(err, errlen, "\"identities\" is not an object");
		goto fail;
	}
	json_object_foreach(ids, name, v)
		if (state_parse_identity(st, name, v, err, errlen) == -1)
			goto fail;
	json_decref(root);
	state_sort(st);
	*out = st;
	return 0;

fail:
	json_decref(root);
	state_free(st);
	return -1;
}

/* ---- formatting ---- */

/*
 * S when it is valid UTF-8 (and, with NOCTL, has no control bytes), else
 * a copy in *COPY with '?' for every non-ASCII byte (and a space for
 * every control byte), so that escaping a value at most doubles it (the
 * size bound in state.h). Names keep their control bytes: two names must
 * not become one. Everything stored came through jansson, expat or the
 * configuration, so the copy is for a broken invariant or an odd SES
 * text, not a normal case; NULL only when out of memory.
 */
static const char *
state_utf8(const char *s, bool noctl, char **copy)
{
	json_t *probe;
	const char *q = s;
	char *p;

	*copy = NULL;
	while (noctl && *q != '\0' && (unsigned char)*q >= 0x20 && *q != 0x7f)
		q++;
	if ((!noctl || *q == '\0') && (probe = json_string(s)) != NULL) {
		json_decref(probe);
		return s;
	}
	if ((*copy = strdup(s)) == NULL)
		return NULL;
	for (p = *copy; noctl && *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	if ((probe = json_string(*copy)) != NULL)
		json_decref(probe);
	else
		for (p = *copy; *p != '\0'; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
	return *copy;
}

/* Sets OBJ[KEY] = V (stolen); clears *OK on any failure. */
static void
state_put(json_t *obj, const char *key, json_t *v, bool *ok)
{
	char *copy;
	const char *k;

	if (v == NULL || (k = state_utf8(key, false, &copy)) == NULL) {
		json_decref(v);
		*ok = false;
		return;
	}
	if (json_object_set_new(obj, k, v) == -1)
		*ok = false;
	free(copy);
}

/*
 * S as a JSON string of at most MAX bytes (before escaping): cut at a
 * character boundary with CUT (error texts), else null when longer (a
 * value that is not what SES said is worth less than none).
 */
static json_t *
state_str(const char *s, size_t max, bool cut)
{
	char *copy;
	const char *u;
	json_t *j;

	if (s == NULL || (!cut && strlen(s) > max))
		return json_null();
	if ((u = state_utf8(s, true, &copy)) == NULL)
		return NULL;
	if (strlen(u) > max) {
		if (copy == NULL && (u = copy = strdup(s)) == NULL)
			return NULL;
		state_cut(copy, max);
	}
	j = json_string(u);
	free(copy);
	return j;
}

char *
state_format(const struct state *st)
{
	const struct state_identity *id;
	json_t *root, *ids, *o;
	char *text, *grown;
	size_t i, len;
	bool ok = true;

	if ((root = json_object()) == NULL)
		return NULL;
	state_put(root, "version", json_integer(STATE_VERSION), &ok);
	state_put(root, "last_success", json_integer(st->last_success), &ok);
	state_put(root, "last_attempt", json_integer(st->last_attempt), &ok);
	state_put(root, "last_error",
	    state_str(st->last_error, STATE_MAX_ERROR, true), &ok);
	if ((ids = json_object()) == NULL)
		ok = false;
	for (i = 0; ok && i < st->nids; i++) {
		id = &st->ids[i];
		/* The configuration holds no such name: left out, not refused. */
		if (strlen(id->ses.identity) > STATE_MAX_NAME)
			continue;
		if ((o = json_object()) == NULL) {
			ok = false;
			break;
		}
		state_put(o, "known", json_boolean(id->known), &ok);
		state_put(o, "mail_from_domain",
		    state_str(
			id->ses.mail_from_domain, STATE_MAX_DOMAIN, false),
		    &ok);
		state_put(o, "status",
		    state_str(id->ses.status, STATE_MAX_WORD, false), &ok);
		state_put(o, "behavior",
		    state_str(id->ses.behavior, STATE_MAX_WORD, false), &ok);
		state_put(o, "checked", json_integer(id->checked), &ok);
		state_put(o, "reverified", json_integer(id->reverified), &ok);
		state_put(o, "last_error",
		    state_str(id->last_error, STATE_MAX_ERROR, true), &ok);
		state_put(ids, id->ses.identity, o, &ok);
	}
	state_put(root, "identities", ids, &ok);
	text = ok ? json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;
	json_decref(root);
	if (text == NULL)
		return NULL;
	len = strlen(text);
	if ((grown = realloc(text, len + 2)) == NULL) {
		free(text);
		return NULL;
	}
	grown[len] = '\n';
	grown[len + 1] = '\0';
	return grown;
}

/* ---- files ---- */

struct state *
state_load(const char *path)
{
	struct state *st;
	char *buf, err[256];
	size_t len;

	if (file_read(path, STATE_MAX_FILE, 0, &buf, &len) == -1) {
		if (errno == ENOENT) /* the first start: nothing wrong */
			log_info("state file %s does not exist (yet): SES is "
				 "read at once",
			    path);
		else if (errno == EINVAL)
			log_warnx(
			    "state file %s is not a regular file: ignored",
			    path);
		else if (errno == EFBIG)
			log_warnx("state file %s is over %u bytes, more than "
				  "%u identities need: ignored",
			    path, STATE_MAX_FILE, STATE_MAX_IDENTITIES);
		else if (errno == ENOMEM)
			return NULL;
		else
			log_warn("state file %s: ignored", path);
		return state_new();
	}
	if (state_parse(buf, len, &st, err, sizeof(err)) == -1) {
		log_warnx("state file %s is corrupt (%s): ignored", path, err);
		st = state_new();
	}
	file_free(buf, len);
	return st;
}

static int
state_write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Creates the state file's directory when it is missing (one level). */
static int
state_dir(const char *dir, char *err, size_t errlen)
{
	struct stat sb;

	if (stat(dir, &sb) == 0)
		return 0;
	if (errno == ENOENT && mkdir(dir, STATE_DIR_MODE) == 0) {
		log_info("created the state directory %s", dir);
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	errbuf_set(err, errlen, "directory %s: %s", dir, strerror(errno));
	return -1;
}

int
state_save(const char *path, const struct state *st, char *err, size_t errlen)
{
	char dir[PATH_MAX], tmp[PATH_MAX], *slash, *text;
	size_t len;
	int fd, dfd, e;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir) ||
	    snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp) ||
	    (slash = strrchr(dir, '/')) == NULL) {
		errbuf_set(err, errlen,
		    "%s: not an absolute path of at most %d "
		    "bytes",
		    path, PATH_MAX - 8);
		return -1;
	}
	slash[slash == dir ? 1 : 0] = '\0';
	if (state_dir(dir, err, errlen) == -1)
		return -1;
	if ((text = state_format(st)) == NULL) {
		errbuf_set(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	/* Never a file state_load() would refuse: the old one stays. */
	if ((len = strlen(text)) > STATE_MAX_FILE) {
		errbuf_set(err, errlen,
		    "%s: %zu identities make %zu bytes, over the %u bytes "
		    "read back (%u identities): not written",
		    path, st->nids, len, STATE_MAX_FILE, STATE_MAX_IDENTITIES);
		free(text);
		return -1;
	}
	/*
	 * A new name (O_CREAT | O_EXCL): whatever already sits at a name,
	 * a FIFO or a symlink, makes mkostemp() try another, never open it;
	 * the rename then replaces the state file's name, not what a link
	 * there points to.
	 */
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		errbuf_set(err, errlen, "cannot create a file in %s: %s", dir,
		    strerror(errno));
		free(text);
		return -1;
	}
	if (fchmod(fd, STATE_FILE_MODE) == -1 ||
	    state_write_all(fd, text, len) == -1 || fsync(fd) == -1) {
		e = errno;
		close(fd);
		goto fail;
	}
	free(text);
	text = NULL;
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		e = errno;
		goto fail;
	}
	/* the rename itself survives a crash only once the directory is synced */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(dfd) == -1) {
		errbuf_set(err, errlen, "%s: %s", dir, strerror(errno));
		if (dfd != -1)
			close(dfd);
		return -1;
	}
	close(dfd);
	return 0;

fail:
	unlink(tmp);
	free(text);
	errbuf_set(err, errlen, "%s: %s", path, strerror(e));
	return -1;
}
