/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The AWS shared files, parsed the way Python's configparser (as botocore
 * configures it) reads them, but forgiving: where configparser rejects the
 * whole file, the offending line is skipped and the rest still counts.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ses/awsconfig.h"
#include "ses/file.h"

#define NO_SECTION SIZE_MAX
/* Starts the section name of an sso-session: a header is trimmed, so no
   profile name starts with a space. */
#define SESSION_MARK " "

struct entry {
	size_t sect; /* index into sects */
	char *key;
	char *value;
	size_t len, cap; /* of value: continuation lines append in place */
	int nested;      /* an indented sub-section, not a value */
};

/* Bytes the continuations of this thread copied: see awsconfig.h. */
static _Thread_local size_t awsconfig_copied;

size_t
awsconfig_copied_bytes(void)
{
	return awsconfig_copied;
}

struct awsconfig {
	char **sects; /* profile names, each once */
	size_t nsects, capsects;
	/*
	 * Open addressing over sects (index + 1, 0 empty), at most half
	 * full: a file of many sections must not cost a scan per header.
	 */
	size_t *hash;
	size_t hashcap; /* a power of two, or 0 */
	struct entry *ents;
	size_t nents, capents;
};

/* Where the parser stands between lines. */
struct cursor {
	size_t sect;  /* current profile, or NO_SECTION */
	int have_key; /* the last line was a key (continuations follow) */
	size_t key_indent;
	size_t ent;    /* its entry, or SIZE_MAX in an ignored section */
	int continued; /* a continuation line was seen for it */
};

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

void
awsconfig_free_secret(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

static char *
copy_n(const char *s, size_t n)
{
	char *d;

	if (n == SIZE_MAX || (d = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* ARR (of *cap elements of size sz, n used) with room for one more, or NULL. */
static void *
grow(void *arr, size_t *cap, size_t n, size_t sz)
{
	void *np;
	size_t ncap;

	if (n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap > SIZE_MAX / sz || ncap < *cap)
		return NULL;
	if ((np = realloc(arr, ncap * sz)) == NULL)
		return NULL;
	*cap = ncap;
	return np;
}

/* FNV-1a; the names come from a local file, not from a network peer. */
static size_t
sect_hash(const char *name)
{
	size_t h = 2166136261u;

	while (*name != '\0')
		h = (h ^ (unsigned char)*name++) * 16777619u;
	return h;
}

/* The slot of NAME in cfg->hash: where it is, or the empty one it would take. */
static size_t
sect_slot(const struct awsconfig *cfg, const char *name)
{
	size_t mask = cfg->hashcap - 1, i = sect_hash(name) & mask;

	while (cfg->hash[i] != 0 && strcmp(cfg->sects[cfg->hash[i] - 1], name))
		i = (i + 1) & mask;
	return i;
}

static size_t
find_sect(const struct awsconfig *cfg, const char *name)
{
	size_t i;

	if (cfg->hashcap == 0)
		return NO_SECTION;
	i = sect_slot(cfg, name);
	return cfg->hash[i] == 0 ? NO_SECTION : cfg->hash[i] - 1;
}

/* Adds NAME (not there yet) as a section; -1 when out of memory. */
static int
add_sect(struct awsconfig *cfg, char *name)
{
	size_t i, cap;
	char **sects;

	if (cfg->nsects >= cfg->hashcap / 2) {
		struct awsconfig grown = *cfg;

		cap = cfg->hashcap ? cfg->hashcap * 2 : 16;
		if (cap > SIZE_MAX / sizeof(*cfg->hash) ||
		    (grown.hash = calloc(cap, sizeof(*cfg->hash))) == NULL)
			return -1;
		grown.hashcap = cap;
		for (i = 0; i < cfg->nsects; i++)
			grown.hash[sect_slot(&grown, cfg->sects[i])] = i + 1;
		free(cfg->hash);
		cfg->hash = grown.hash;
		cfg->hashcap = cap;
	}
	if ((sects = grow(cfg->sects, &cfg->capsects, cfg->nsects,
		 sizeof(*cfg->sects))) == NULL)
		return -1;
	cfg->sects = sects;
	cfg->hash[sect_slot(cfg, name)] = cfg->nsects + 1;
	cfg->sects[cfg->nsects++] = name;
	return 0;
}

/*
 * Maps a section header (already trimmed) to a profile name: in the config
 * file "default" and "profile NAME" (one word) name profiles, "sso-session
 * NAME" an SSO session, and anything else ("services x") is ignored.
 * Returns the start and length of the name, and 0 for a profile, 1 for an
 * SSO session, or -1 for an ignored section.
 */
static int
profile_of(enum awsconfig_kind kind, const char *h, size_t n, const char **name,
    size_t *nlen)
{
	size_t i, skip;

	if (kind == AWSCONFIG_CREDENTIALS ||
	    (n == 7 && memcmp(h, "default", 7) == 0)) {
		*name = h;
		*nlen = n;
		return 0;
	}
	if (n > 11 && memcmp(h, "sso-session", 11) == 0 && is_space(h[11]))
		skip = 11;
	else if (n > 7 && memcmp(h, "profile", 7) == 0 && is_space(h[7]))
		skip = 7;
	else
		return -1;
	for (i = skip + 1; i < n && is_space(h[i]); i++)
		;
	*name = h + i;
	*nlen = n - i;
	for (; i < n; i++)
		if (is_space(h[i]))
			return -1;
	if (*nlen == 0)
		return -1;
	return skip == 11 ? 1 : 0;
}

static int
section_line(struct awsconfig *cfg, enum awsconfig_kind kind,
    struct cursor *cur, const char *s, size_t n)
{
	const char *h, *name;
	size_t hn, nlen, i;
	char *copy;
	int k;

	cur->sect = NO_SECTION;
	for (i = n; i > 1 && s[i - 1] != ']'; i--)
		;
	if (i <= 1)
		return 0; /* no closing bracket, or "[]" */
	h = s + 1;
	hn = i - 2;
	while (hn > 0 && is_space(*h)) {
		h++;
		hn--;
	}
	while (hn > 0 && is_space(h[hn - 1]))
		hn--;
	if (hn == 0 || (k = profile_of(kind, h, hn, &name, &nlen)) == -1)
		return 0;
	/* A session's section name starts with what no profile name can. */
	if (k == 1 ? asprintf(&copy, SESSION_MARK "%.*s", (int)nlen, name) == -1
		   : (copy = copy_n(name, nlen)) == NULL)
		return -1;
	if ((cur->sect = find_sect(cfg, copy)) != NO_SECTION) {
		free(copy);
		return 0;
	}
	if (add_sect(cfg, copy) == -1) {
		free(copy);
		return -1;
	}
	cur->sect = cfg->nsects - 1;
	return 0;
}

static int
key_line(struct awsconfig *cfg, struct cursor *cur, const char *s, size_t n,
    size_t indent)
{
	struct entry *e;
	size_t d, kn, vs;

	for (d = 0; d < n && s[d] != '=' && s[d] != ':'; d++)
		;
	for (kn = d; kn > 0 && is_space(s[kn - 1]); kn--)
		;
	if (d == n || kn == 0) {
		cur->have_key = 0; /* malformed: skipped */
		return 0;
	}
	for (vs = d + 1; vs < n && is_space(s[vs]); vs++)
		;
	cur->have_key = 1;
	cur->key_indent = indent;
	cur->continued = 0;
	cur->ent = SIZE_MAX;
	if (cur->sect == NO_SECTION)
		return 0;
	if ((e = grow(cfg->ents, &cfg->capents, cfg->nents,
		 sizeof(*cfg->ents))) == NULL)
		return -1;
	cfg->ents = e;
	e = &cfg->ents[cfg->nents];
	e->sect = cur->sect;
	e->nested = 0;
	if ((e->key = copy_n(s, kn)) == NULL)
		return -1;
	if ((e->value = copy_n(s + vs, n - vs)) == NULL) {
		free(e->key);
		return -1;
	}
	e->len = n - vs;
	e->cap = e->len + 1;
	cur->ent = cfg->nents++;
	return 0;
}

/*
 * Makes room for N more bytes (and the NUL) in E's value, at least
 * doubling it, so that a value built from many continuation lines costs
 * linear time. Not realloc(): the value may be a secret, and the old
 * block is wiped before it is freed.
 */
static int
value_reserve(struct entry *e, size_t n)
{
	size_t need, cap;
	char *v;

	if (n > SIZE_MAX - e->len - 1)
		return -1;
	need = e->len + n + 1;
	if (need <= e->cap)
		return 0;
	cap = e->cap <= SIZE_MAX / 2 && e->cap * 2 > need ? e->cap * 2 : need;
	if ((v = malloc(cap)) == NULL)
		return -1;
	memcpy(v, e->value, e->len + 1);
	awsconfig_copied += e->len + 1;
	explicit_bzero(e->value, e->cap);
	free(e->value);
	e->value = v;
	e->cap = cap;
	return 0;
}

static int
continuation_line(
    struct awsconfig *cfg, struct cursor *cur, const char *s, size_t n)
{
	struct entry *e;

	if (cur->ent == SIZE_MAX)
		return 0;
	e = &cfg->ents[cur->ent];
	if (!cur->continued && e->len == 0)
		e->nested = 1;
	cur->continued = 1;
	if (e->nested)
		return 0;
	if (n == SIZE_MAX || value_reserve(e, n + 1) == -1)
		return -1;
	e->value[e->len] = '\n';
	memcpy(e->value + e->len + 1, s, n);
	awsconfig_copied += n + 1;
	e->len += n + 1;
	e->value[e->len] = '\0';
	return 0;
}

static int
parse_line(struct awsconfig *cfg, enum awsconfig_kind kind, struct cursor *cur,
    const char *s, size_t n)
{
	size_t indent;

	for (indent = 0; indent < n && is_space(s[indent]); indent++)
		;
	s += indent;
	n -= indent;
	while (n > 0 && is_space(s[n - 1]))
		n--;
	/* Blank lines and comments neither end nor extend a value. */
	if (n == 0 || s[0] == '#' || s[0] == ';')
		return 0;
	/* Not text: skipped like any malformed line, header or key. */
	if (memchr(s, '\0', n) != NULL) {
		if (s[0] == '[')
			cur->sect = NO_SECTION;
		cur->have_key = 0;
		return 0;
	}
	if (cur->have_key && indent > cur->key_indent)
		return continuation_line(cfg, cur, s, n);
	if (s[0] == '[') {
		cur->have_key = 0;
		return section_line(cfg, kind, cur, s, n);
	}
	return key_line(cfg, cur, s, n, indent);
}

struct awsconfig *
awsconfig_parse(const char *buf, size_t len, enum awsconfig_kind kind)
{
	struct awsconfig *cfg;
	struct cursor cur = { NO_SECTION, 0, 0, SIZE_MAX, 0 };
	const char *p = buf, *end = buf + len, *eol;

	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		return NULL;
	while (p < end) {
		if ((eol = memchr(p, '\n', end - p)) == NULL)
			eol = end;
		if (parse_line(cfg, kind, &cur, p, eol - p) == -1) {
			awsconfig_free(cfg);
			return NULL;
		}
		p = eol < end ? eol + 1 : end;
	}
	return cfg;
}

int
awsconfig_load(
    const char *path, enum awsconfig_kind kind, struct awsconfig **out)
{
	char *buf;
	size_t len;
	int saved;

	*out = NULL;
	if (file_read(path, AWSCONFIG_MAX_FILE, 0, &buf, &len) == -1) {
		if (errno == EFBIG || errno == ENOMEM)
			return -1;
		goto absent;
	}
	*out = awsconfig_parse(buf, len, kind);
	saved = errno;
	file_free(buf, len);
	errno = saved;
	return *out != NULL ? 0 : -1;

absent:
	/* Unreadable counts as absent, as configparser's read() has it. */
	*out = awsconfig_parse("", 0, kind);
	return *out != NULL ? 1 : -1;
}

static const char *
section_get(const struct awsconfig *cfg, const char *sect_name, const char *key)
{
	size_t sect, i;

	if (cfg == NULL || (sect = find_sect(cfg, sect_name)) == NO_SECTION)
		return NULL;
	for (i = cfg->nents; i > 0; i--) {
		const struct entry *e = &cfg->ents[i - 1];

		if (e->sect == sect && strcasecmp(e->key, key) == 0)
			return e->nested ? NULL : e->value;
	}
	return NULL;
}

const char *
awsconfig_get(const struct awsconfig *cfg, const char *profile, const char *key)
{
	return *profile == *SESSION_MARK ? NULL
					 : section_get(cfg, profile, key);
}

int
awsconfig_has_profile(const struct awsconfig *cfg, const char *profile)
{
	return cfg != NULL && *profile != *SESSION_MARK &&
	    find_sect(cfg, profile) != NO_SECTION;
}

/* The section name of session NAME, or NULL when out of memory. */
static char *
session_sect(const char *name)
{
	char *s;

	return asprintf(&s, SESSION_MARK "%s", name) == -1 ? NULL : s;
}

const char *
awsconfig_session_get(
    const struct awsconfig *cfg, const char *session, const char *key)
{
	const char *v;
	char *sect;

	if ((sect = session_sect(session)) == NULL)
		return NULL;
	v = section_get(cfg, sect, key);
	free(sect);
	return v;
}

int
awsconfig_has_session(const struct awsconfig *cfg, const char *session)
{
	char *sect;
	int found;

	if (cfg == NULL || (sect = session_sect(session)) == NULL)
		return 0;
	found = find_sect(cfg, sect) != NO_SECTION;
	free(sect);
	return found;
}

void
awsconfig_free(struct awsconfig *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->nents; i++) {
		free(cfg->ents[i].key);
		/* the whole block: bytes past the NUL once held the value too */
		explicit_bzero(cfg->ents[i].value, cfg->ents[i].cap);
		free(cfg->ents[i].value);
	}
	for (i = 0; i < cfg->nsects; i++)
		free(cfg->sects[i]);
	free(cfg->ents);
	free(cfg->sects);
	free(cfg->hash);
	free(cfg);
}
