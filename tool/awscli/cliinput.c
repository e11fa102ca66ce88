/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool/awscli/clijson.h"
#include "tool/awscli/cliinput.h"
#include "tool/awscli/clivalue.h"
#include "tool/awscli/cliyaml.h"
#include "ses/strbuf.h"
#include "ses/file.h"
#include "tool/awscli/u8.h"

/* Larger paramfiles are refused: an SES parameter is never this big. */
#define PARAMFILE_MAX (16 * 1024 * 1024)

/* os.path.expanduser() */
static void
expand_user(const char *path, struct strbuf *out)
{
	const char *home = NULL, *slash;
	struct passwd *pw;
	char *name;
	size_t n;

	if (path[0] != '~') {
		strbuf_adds(out, path);
		return;
	}
	slash = strchr(path, '/');
	n = slash != NULL ? (size_t)(slash - path) : strlen(path);
	if (n == 1) {
		if ((home = getenv("HOME")) == NULL &&
		    (pw = getpwuid(getuid())) != NULL)
			home = pw->pw_dir;
	} else if ((name = strndup(path + 1, n - 1)) != NULL) {
		if ((pw = getpwnam(name)) != NULL)
			home = pw->pw_dir;
		free(name);
	}
	if (home == NULL) {
		strbuf_adds(out, path);
		return;
	}
	n = strlen(home);
	while (n > 0 && home[n - 1] == '/')
		n--;
	strbuf_add(out, home, n);
	if (slash != NULL)
		strbuf_adds(out, slash);
	else if (n == 0)
		strbuf_addc(out, '/');
}

static int
word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/* os.path.expandvars(): $NAME and ${NAME}; unknown ones stay as they are. */
static void
expand_vars(const char *path, struct strbuf *out)
{
	const char *p = path, *end, *val;
	char *name;
	size_t n;

	while (*p != '\0') {
		if (*p != '$') {
			strbuf_addc(out, *p++);
			continue;
		}
		if (p[1] == '{' && (end = strchr(p + 2, '}')) != NULL) {
			name = strndup(p + 2, (size_t)(end - p - 2));
			n = (size_t)(end - p) + 1;
		} else {
			for (n = 1; word_char(p[n]); n++)
				;
			name = n > 1 ? strndup(p + 1, n - 1) : NULL;
		}
		if (name != NULL && (val = getenv(name)) != NULL)
			strbuf_adds(out, val);
		else
			strbuf_add(out, p, n > 1 ? n : 1);
		free(name);
		p += n > 1 ? n : 1;
	}
}

static void
os_error(struct strbuf *err, const char *option, const char *value, int e,
    const char *path)
{
	strbuf_addf(err,
	    "Error parsing parameter '%s': Unable to load "
	    "paramfile %s: [Errno %d] %s: ",
	    option, value, e, strerror(e));
	clivalue_repr_str(path, strlen(path), err);
}

/* Reads PATH whole, whatever it is (file:///dev/stdin); -1 with errno set. */
static int
read_file(const char *path, struct strbuf *data)
{
	char *buf;
	size_t len;

	if (file_read(path, PARAMFILE_MAX, FILE_READ_ANY, &buf, &len) == -1)
		return -1;
	strbuf_add(data, buf, len);
	file_free(buf, len);
	if (strbuf_failed(data)) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* Python's universal newlines: "\r\n" and "\r" become "\n". */
static void
universal_newlines(struct strbuf *b)
{
	size_t i, o = 0;

	for (i = 0; i < b->len; i++) {
		if (b->data[i] == '\r') {
			b->data[o++] = '\n';
			if (i + 1 < b->len && b->data[i + 1] == '\n')
				i++;
		} else
			b->data[o++] = b->data[i];
	}
	b->len = o;
	if (b->data != NULL)
		b->data[o] = '\0';
}

enum cliinput_status
cliinput_paramfile(const char *option, const char *value, struct clivalue **out,
    struct strbuf *err)
{
	struct strbuf home, path, data;
	const char *rest;
	char *fsname = NULL;
	int binary;
	enum cliinput_status st = CLIINPUT_OK;

	*out = NULL;
	if (strncmp(value, "file://", 7) == 0) {
		binary = 0;
		rest = value + 7;
	} else if (strncmp(value, "fileb://", 8) == 0) {
		binary = 1;
		rest = value + 8;
	} else
		return CLIINPUT_OK;
	strbuf_init(&home);
	strbuf_init(&path);
	strbuf_init(&data);
	expand_user(rest, &home);
	expand_vars(home.data != NULL ? home.data : "", &path);
	if (strbuf_failed(&home) || strbuf_failed(&path) ||
	    (fsname = u8_to_fs(path.data != NULL ? path.data : "")) == NULL) {
		st = CLIINPUT_ENOMEM;
		goto done;
	}
	if (read_file(fsname, &data) == -1) {
		if (errno == ENOMEM)
			st = CLIINPUT_ENOMEM;
		else {
			os_error(err, option, value, errno,
			    path.data != NULL ? path.data : "");
			st = CLIINPUT_EPARAM;
		}
		goto done;
	}
	if (!binary) {
		if (!u8_valid(
			data.data != NULL ? data.data : "", data.len, 1)) {
			strbuf_addf(err,
			    "Error parsing parameter '%s': "
			    "Unable to load paramfile (%s), text contents "
			    "could not be decoded.  If this is a binary file, "
			    "please use the fileb:// prefix instead of the "
			    "file:// prefix.",
			    option, path.data);
			st = CLIINPUT_EPARAM;
			goto done;
		}
		universal_newlines(&data);
	}
	*out = clivalue_new_str(binary ? CLIV_BYTES : CLIV_STR,
	    data.data != NULL ? data.data : "", data.len);
	if (*out == NULL)
		st = CLIINPUT_ENOMEM;
done:
	free(fsname);
	strbuf_free(&home);
	strbuf_free(&path);
	strbuf_free(&data);
	return st;
}

/* str.isspace() */
static int
py_space(unsigned long cp)
{
	return (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x20) ||
	    cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

/* The first character of S after leading white space (0 if none). */
static unsigned long
first_nonspace(const char *s, size_t len)
{
	size_t i = 0;
	unsigned long cp;

	while (i < len) {
		if (u8_next(s, len, &i, &cp, 0) == -1)
			return 0xfffd;
		if (!py_space(cp))
			return cp;
	}
	return 0;
}

static enum cliinput_status
json_list(const char *option, const char *text, size_t len,
    struct clivalue **out, struct strbuf *err)
{
	struct strbuf msg;
	enum clijson_status st;

	strbuf_init(&msg);
	st = clijson_parse(text, len, out, &msg);
	if (st == CLIJSON_EINVALID) {
		strbuf_addf(err,
		    "Error parsing parameter '%s': Invalid JSON: ", option);
		strbuf_add(err, msg.data, msg.len);
		strbuf_adds(err, "\nJSON received: ");
		strbuf_add(err, text, len);
	} else if (st == CLIJSON_EDEPTH)
		strbuf_add(err, msg.data, msg.len);
	strbuf_free(&msg);
	switch (st) {
	case CLIJSON_OK:
		return CLIINPUT_OK;
	case CLIJSON_EINVALID:
		return CLIINPUT_EPARAM;
	case CLIJSON_EDEPTH:
		return CLIINPUT_EFATAL;
	default:
		return CLIINPUT_ENOMEM;
	}
}

enum cliinput_status
cliinput_list(const char *option, const char *const *words, size_t nwords,
    const struct clivalue *text, struct clivalue **out, struct strbuf *err)
{
	struct clivalue *list, *item;
	size_t i, start;
	unsigned long cp;
	char digits[4];

	*out = NULL;
	if (text != NULL && text->kind == CLIV_STR) {
		cp = first_nonspace(text->str, text->len);
		if (cp == 0) {
			strbuf_adds(err, "string index out of range");
			return CLIINPUT_EFATAL;
		}
		if (cp == '[')
			return json_list(
			    option, text->str, text->len, out, err);
	} else if (text == NULL && nwords == 1 &&
	    first_nonspace(words[0], strlen(words[0])) == '[')
		return json_list(option, words[0], strlen(words[0]), out, err);
	if ((list = clivalue_new(CLIV_LIST)) == NULL)
		return CLIINPUT_ENOMEM;
	if (text == NULL) {
		for (i = 0; i < nwords; i++)
			if (clivalue_append(list,
				clivalue_new_str(CLIV_STR, words[i],
				    strlen(words[i]))) == -1)
				goto nomem;
	} else if (text->kind == CLIV_BYTES) {
		/* iterating bytes gives integers */
		for (i = 0; i < text->len; i++) {
			snprintf(digits, sizeof(digits), "%u",
			    (unsigned char)text->str[i]);
			if (clivalue_append(list,
				clivalue_new_str(
				    CLIV_INT, digits, strlen(digits))) == -1)
				goto nomem;
		}
	} else {
		/* iterating a string gives its characters */
		for (i = 0; i < text->len;) {
			start = i;
			if (u8_next(text->str, text->len, &i, &cp, 0) == -1)
				i++;
			item = clivalue_new_str(
			    CLIV_STR, text->str + start, i - start);
			if (clivalue_append(list, item) == -1)
				goto nomem;
		}
	}
	*out = list;
	return CLIINPUT_OK;
nomem:
	clivalue_free(list);
	return CLIINPUT_ENOMEM;
}

enum cliinput_status
cliinput_document(int json, const char *text, size_t len, struct clivalue **out,
    struct strbuf *err)
{
	const char *name = json ? "cli-input-json" : "cli-input-yaml";
	struct strbuf msg;
	int st;

	*out = NULL;
	strbuf_init(&msg);
	if (json) {
		st = clijson_parse(text, len, out, &msg);
		st = st == CLIJSON_OK        ? CLIINPUT_OK
		    : st == CLIJSON_EINVALID ? CLIINPUT_EPARAM
		    : st == CLIJSON_EDEPTH   ? CLIINPUT_EFATAL
					     : CLIINPUT_ENOMEM;
	} else {
		st = cliyaml_load(text, len, out, &msg);
		st = st == CLIYAML_OK        ? CLIINPUT_OK
		    : st == CLIYAML_EINVALID ? CLIINPUT_EPARAM
		    : st == CLIYAML_EFATAL   ? CLIINPUT_EFATAL
					     : CLIINPUT_ENOMEM;
	}
	if (st == CLIINPUT_EPARAM)
		strbuf_addf(err,
		    "Error parsing parameter '%s': Invalid %s "
		    "received.",
		    name, json ? "JSON" : "YAML");
	else if (st == CLIINPUT_EFATAL)
		strbuf_add(err, msg.data, msg.len);
	strbuf_free(&msg);
	if (st != CLIINPUT_OK)
		return st;
	if (*out == NULL || (*out)->kind != CLIV_MAP) {
		strbuf_addf(err,
		    "Error parsing parameter '--%s': Invalid "
		    "type: expecting map, received %s",
		    name,
		    *out == NULL ? "<class 'NoneType'>" : clivalue_type(*out));
		clivalue_free(*out);
		*out = NULL;
		return CLIINPUT_EPARAM;
	}
	return CLIINPUT_OK;
}

enum cliinput_status
cliinput_merge(struct clivalue *params, struct clivalue *doc)
{
	enum cliinput_status st = CLIINPUT_OK;
	size_t i, k;

	for (i = 0; i < doc->n && st == CLIINPUT_OK; i++) {
		for (k = 0; k < params->n; k++)
			if (clivalue_key_equal(params->keys[k], doc->keys[i]))
				break;
		if (k < params->n)
			continue;
		if (clivalue_map_set(params, doc->keys[i], doc->items[i]) == -1)
			st = CLIINPUT_ENOMEM;
		doc->keys[i] = NULL;
		doc->items[i] = NULL;
	}
	clivalue_free(doc);
	return st;
}

static const struct cliinput_member *
member(const struct cliinput_op *op, const struct clivalue *key)
{
	size_t i;

	if (key->kind != CLIV_STR)
		return NULL;
	for (i = 0; i < op->nmembers; i++)
		if (strlen(op->members[i].name) == key->len &&
		    memcmp(op->members[i].name, key->str, key->len) == 0)
			return &op->members[i];
	return NULL;
}

static void
invalid_type(struct strbuf *err, const char *name, const struct clivalue *v,
    const char *valid)
{
	strbuf_addf(err, "\nInvalid type for parameter %s, value: ", name);
	clivalue_str(v, err);
	strbuf_addf(
	    err, ", type: %s, valid types: %s", clivalue_type(v), valid);
}

int
cliinput_validate(const struct cliinput_op *op, const struct clivalue *params,
    struct strbuf *err)
{
	const struct cliinput_member *m;
	const struct clivalue *v;
	struct strbuf e, name;
	size_t i, k;
	int failed;

	strbuf_init(&e);
	for (i = 0; i < op->nmembers; i++)
		if (op->members[i].required &&
		    clivalue_map_get(params, op->members[i].name) == NULL)
			strbuf_addf(&e,
			    "\nMissing required parameter in "
			    "input: \"%s\"",
			    op->members[i].name);
	for (i = 0; i < params->n; i++) {
		if (member(op, params->keys[i]) != NULL)
			continue;
		strbuf_adds(&e, "\nUnknown parameter in input: \"");
		clivalue_str(params->keys[i], &e);
		strbuf_adds(&e, "\", must be one of: ");
		for (k = 0; k < op->nmembers; k++)
			strbuf_addf(
			    &e, "%s%s", k > 0 ? ", " : "", op->members[k].name);
	}
	for (i = 0; i < params->n; i++) {
		if ((m = member(op, params->keys[i])) == NULL)
			continue;
		v = params->items[i];
		if (!m->list) {
			if (v->kind != CLIV_STR)
				invalid_type(&e, m->name, v, "<class 'str'>");
			continue;
		}
		if (v->kind != CLIV_LIST) {
			invalid_type(
			    &e, m->name, v, "<class 'list'>, <class 'tuple'>");
			continue;
		}
		for (k = 0; k < v->n; k++) {
			if (v->items[k]->kind == CLIV_STR)
				continue;
			strbuf_init(&name);
			strbuf_addf(&name, "%s[%zu]", m->name, k);
			invalid_type(&e, name.data != NULL ? name.data : "",
			    v->items[k], "<class 'str'>");
			strbuf_free(&name);
		}
	}
	failed = e.len > 0;
	if (failed) {
		strbuf_adds(err, "Parameter validation failed:");
		strbuf_add(err, e.data, e.len);
	}
	if (strbuf_failed(&e))
		err->failed = 1;
	strbuf_free(&e);
	return failed ? -1 : 0;
}

void
cliinput_skeleton_json(const struct cliinput_op *op, struct strbuf *out)
{
	struct clivalue *map, *v, *list;
	const struct cliinput_member *m;
	size_t i;
	int failed = 0;

	if ((map = clivalue_new(CLIV_MAP)) == NULL) {
		out->failed = 1;
		return;
	}
	for (i = 0; i < op->nmembers; i++) {
		m = &op->members[i];
		v = m->enums != NULL ? clivalue_new_str(CLIV_STR, m->enums[0],
					   strlen(m->enums[0]))
				     : clivalue_new_str(CLIV_STR, "", 0);
		if (m->list) {
			list = clivalue_new(CLIV_LIST);
			if (list != NULL && clivalue_append(list, v) == -1) {
				clivalue_free(list);
				list = NULL;
			} else if (list == NULL)
				clivalue_free(v);
			v = list;
		}
		if (clivalue_map_set(map,
			clivalue_new_str(CLIV_STR, m->name, strlen(m->name)),
			v) == -1)
			failed = 1;
	}
	if (failed)
		out->failed = 1;
	else {
		clijson_dump(map, 4, out);
		strbuf_addc(out, '\n');
	}
	clivalue_free(map);
}

/*
 * ruamel's round-trip dump of a commented map: the first member's comment
 * is two spaces after its value, the others' one.
 */
void
cliinput_skeleton_yaml(const struct cliinput_op *op, struct strbuf *out)
{
	const struct cliinput_member *m;
	size_t i, k;

	for (i = 0; i < op->nmembers; i++) {
		m = &op->members[i];
		strbuf_addf(out, "%s:", m->name);
		if (!m->list)
			strbuf_addf(
			    out, " %s", m->enums != NULL ? m->enums[0] : "''");
		strbuf_adds(out, i == 0 ? "  # " : " # ");
		if (m->required)
			strbuf_adds(out, "[REQUIRED] ");
		strbuf_adds(out, m->doc);
		if (m->enums != NULL) {
			strbuf_adds(out, " Valid values are: ");
			for (k = 0; m->enums[k] != NULL; k++)
				strbuf_addf(out, "%s%s", k > 0 ? ", " : "",
				    m->enums[k]);
			strbuf_addc(out, '.');
		}
		strbuf_addc(out, '\n');
		if (m->list)
			strbuf_adds(out, "- ''\n");
	}
}
