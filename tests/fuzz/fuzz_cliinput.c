/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_cliinput: any bytes as --cli-input-json, --cli-input-yaml or a JSON
 * list argument. Besides not crashing or leaking: what JSON reads must be
 * written back by clijson_dump() as JSON that reads to the same value, and
 * every output format must print any map the readers produce.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tool/awscli/clijson.h"
#include "tool/awscli/cliinput.h"
#include "tool/awscli/clioutput.h"
#include "tool/awscli/clivalue.h"
#include "tool/awscli/cliyaml.h"
#include "ses/strbuf.h"

static void
render_all(const struct clivalue *v)
{
	static const char *const formats[] = { "json", "text", "table", "yaml",
		"yaml-stream" };
	struct clioutput_style style = { 1, 60 };
	enum clioutput_format fmt;
	struct strbuf out, err;
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (clioutput_parse(formats[i], &fmt) == -1)
			abort();
		strbuf_init(&out);
		strbuf_init(&err);
		if (clioutput_render(fmt, "Fuzz", v, &style, &out, &err) ==
			-1 &&
		    !strbuf_failed(&err) && err.len == 0)
			abort(); /* a refusal always says why */
		strbuf_free(&out);
		strbuf_free(&err);
	}
}

static void
json_round_trip(const char *text, size_t len)
{
	struct clivalue *v, *again;
	struct strbuf dump, r1, r2;

	if (clijson_parse(text, len, &v, NULL) != CLIJSON_OK)
		return;
	strbuf_init(&dump);
	strbuf_init(&r1);
	strbuf_init(&r2);
	clijson_dump(v, -1, &dump);
	if (!strbuf_failed(&dump)) {
		if (clijson_parse(dump.data, dump.len, &again, NULL) !=
		    CLIJSON_OK)
			abort();
		clivalue_repr(v, &r1);
		clivalue_repr(again, &r2);
		if (!strbuf_failed(&r1) && !strbuf_failed(&r2) &&
		    (r1.len != r2.len || memcmp(r1.data, r2.data, r1.len) != 0))
			abort();
		clivalue_free(again);
	}
	render_all(v);
	strbuf_free(&dump);
	strbuf_free(&r1);
	strbuf_free(&r2);
	clivalue_free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct clivalue *v;
	struct strbuf err;
	const char *text = (const char *)data;
	const char *word;
	char *copy;

	json_round_trip(text, size);

	strbuf_init(&err);
	if (cliinput_document(0, text, size, &v, &err) == CLIINPUT_OK)
		render_all(v);
	clivalue_free(v);
	strbuf_free(&err);

	/* a list argument is a NUL-terminated word */
	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	word = copy;
	if (cliinput_list("--identities", &word, 1, NULL, &v, &err) ==
	    CLIINPUT_OK)
		clivalue_free(v);
	strbuf_free(&err);
	free(copy);
	return 0;
}
