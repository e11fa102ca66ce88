# SPDX-License-Identifier: BSD-2-Clause
"""Differential test of tool/awscli/jmespath (through build/tests/jp)
against the Python jmespath package the AWS CLI uses: hand-written cases
for every feature, then a few thousand generated from a small grammar with
a fixed seed.  Results must match in value and type (1 is not 1.0, True is
not 1), errors in class.

Where Python fails with something other than a JMESPath error (a TypeError
for 1 < 'a', an _Expression object or NaN that json cannot encode, ...)
the case is skipped: the C engine answers as the specification says (null,
false or invalid-type), documented in the comments of the cases below.
"""

import json
import os
import random
import subprocess
from concurrent.futures import ThreadPoolExecutor

import jmespath
import pytest
from jmespath import exceptions as jexc

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.abspath(os.environ.get("SMF_BUILD") or os.path.join(ROOT, "build"))
JP = os.path.join(BUILD, "tests", "jp")

SKIP = object()

# The legacy `foo` literal is still accepted, with a warning per use.
pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")


def python_answer(expr, doc):
    """('ok', value) or ('error', class) as the compliance suite names them,
    or SKIP where the Python package itself breaks."""
    try:
        result = jmespath.search(expr, doc)
    except jexc.ArityError:       # a ParseError subclass: test it first
        return ("error", "invalid-arity")
    except (jexc.ParseError, jexc.EmptyExpressionError):
        return ("error", "syntax")
    except jexc.UnknownFunctionError:
        return ("error", "unknown-function")
    except jexc.JMESPathTypeError:
        return ("error", "invalid-type")
    except ValueError as e:
        # Python's own slice() raises this one; the spec calls it
        # invalid-value.
        if "slice step cannot be zero" in str(e):
            return ("error", "invalid-value")
        return SKIP
    except (TypeError, RecursionError):
        return SKIP
    try:
        json.dumps(result, allow_nan=False)
    except (TypeError, ValueError):
        return SKIP
    if _has_big_int(result):
        return SKIP     # jansson integers are 64-bit
    return ("ok", result)


def _has_big_int(v):
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return not -2**63 <= v < 2**63
    if isinstance(v, list):
        return any(_has_big_int(x) for x in v)
    if isinstance(v, dict):
        return any(_has_big_int(x) for x in v.values())
    return False


def c_answer(expr, doc):
    p = subprocess.run([JP, expr], input=json.dumps(doc).encode(),
                       capture_output=True, timeout=60, check=False)
    if p.returncode == 0:
        return ("ok", json.loads(p.stdout))
    assert p.returncode == 1, p.stderr
    return ("error", p.stderr.decode().split(":")[0])


def same(a, b):
    """Equal in value and in JSON type, keys in the same order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


def compare(cases):
    """Runs every (expression, document) through both; returns the
    mismatches and how many cases were compared."""
    def one(case):
        expr, doc = case
        want = python_answer(expr, doc)
        if want is SKIP:
            return None
        got = c_answer(expr, doc)
        if want[0] != got[0] or not same(want[1], got[1]):
            return (expr, json.dumps(doc), want, got)
        return False
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        outcomes = list(pool.map(one, cases))
    bad = [o for o in outcomes if o]
    return bad, sum(o is not None for o in outcomes)


@pytest.fixture(scope="module", autouse=True)
def need_jp():
    if not os.access(JP, os.X_OK):
        pytest.skip(f"{JP} not built")


PEOPLE = {"people": [
    {"name": "ann", "age": 31, "tags": ["a", "b"], "x": {"y": 1}},
    {"name": "bob", "age": 25.5, "tags": [], "x": None},
    {"name": "cy", "age": 31, "tags": ["c"]},
    {"name": "dee", "tags": ["a"], "x": {"y": [1, 2]}},
], "meta": {"count": 4, "empty": {}, "list": [], "s": "", "f": False,
            "zero": 0, "nested": [[1, 2], [3, [4, 5]], 6, []]}}

DOCS = [
    {}, [], None, 0, "s", True,
    {"foo": {"bar": {"baz": "value"}}},
    {"foo": [{"bar": 1}, {"bar": 2}, {"baz": 3}, [4], None]},
    {"a": [1, 2, 3, 4, 5, 6, 7, 8, 9], "b": "héllo wörld 😀"},
    PEOPLE,
]

EXPRESSIONS = """
foo
foo.bar
foo.bar.baz
foo.bar.baz.qux
"foo"
"foo"."bar"
"f\\u006fo"
"\\ud83d\\ude00"
"a\\"b"
"\\\\"
"\\u"
foo[0]
foo[1].bar
foo[-1]
foo[-10]
foo[10]
a[0]
a[-1]
a[1:3]
a[:3]
a[3:]
a[::2]
a[::-1]
a[-2:]
a[:-2]
a[5:1:-1]
a[-100:100]
a[100:]
a[::0]
a[1:2:3]
a[:]
a[::]
a[:1:]
a[::-3]
a[-1:-100:-2]
a[99999999999999999999]
a[-99999999999999999999:]
a[0][1:2]
a[1:3][0]
a[:2].foo
foo[*]
foo[*].bar
foo[*].bar[0]
foo[*][0]
foo[]
foo[].bar
foo[][]
foo[0:2][]
foo.*
foo.*.baz
*
*.*
*.bar
*[0]
*.[0]
*.["0"]
[*]
[*].bar
[*][0]
[*.*]
[]
[0]
[-1]
@
@.foo
@[0]
foo[?bar]
foo[?bar == `1`]
foo[?bar != `1`]
foo[?bar > `1`]
foo[?bar >= `1`]
foo[?bar < `2`]
foo[?bar <= `2`]
foo[?!bar]
foo[?bar && baz]
foo[?bar || baz]
foo[?@ == `[4]`]
foo[?bar == `1`].bar
foo[?bar == `1`] | [0]
foo[?bar][]
people[?age > `30`].name
people[?age > `30`].name | [0]
people[?age == `31`]
people[?tags == `[]`].name
people[?contains(tags, 'a')].name
people[?x.y].name
people[?x.y == `1`].name
people[?name > 'b'].name
people[?name < `1`]
people[?age > 'b']
people[*].age
people[].tags[]
people[*].tags[*]
people[*].x.y
people[*].x.y[]
people[*].[name, age]
people[*].{n: name, a: age}
people[].{n: name, "quoted key": age, t: tags[0]}
people | [0].name
people[0:2].name
people[::-1].name
sort_by(people, &name)[*].name
sort_by(people, &age)[*].name
sort_by(people[:3], &age)[*].name
max_by(people[:3], &age).name
min_by(people[:3], &age).name
max_by(people, &name).name
min_by(people, &age)
max_by(people, &tags)
max_by(`[]`, &a)
sort_by(people, &tags)
map(&name, people)
map(&age, people)
map(&[name, age], people)
map(&tags[0], people)
length(people)
length(people[0].name)
length(b)
length(meta)
length(`1`)
keys(meta)
values(meta)
keys(people)
sort(keys(meta))
sort(people[*].name)
sort(people[*].age)
sort(meta.nested)
sort(`[]`)
max(people[*].age)
min(people[*].age)
max(people[*].name)
min(`[]`)
max(`["a", 1]`)
sum(people[*].age)
sum(a)
sum(`[]`)
sum(`[true]`)
avg(a)
avg(people[*].age)
avg(`[]`)
abs(`-1`)
abs(`-1.5`)
abs(`0`)
abs(`"-1"`)
ceil(`1.1`)
ceil(`-1.1`)
ceil(`3`)
floor(`1.9`)
floor(`-1.9`)
floor(`1e300`)
contains(a, `3`)
contains(a, `3.0`)
contains(`[true]`, `1`)
contains(`[1]`, `true`)
contains(b, 'wör')
contains(b, '')
contains(`{}`, 'a')
starts_with(b, 'hé')
starts_with(b, '')
ends_with(b, '😀')
ends_with(b, a)
join('-', people[*].name)
join('', `[]`)
join(`1`, `["a"]`)
join('-', `["a", 1]`)
reverse(a)
reverse(b)
reverse('')
reverse(`{}`)
merge(meta, `{"count": 5, "new": true}`)
merge(`{}`)
merge()
merge(`{"a": 1}`, `{"a": 2}`, `{"b": 3}`)
not_null(missing, meta.f, meta.zero)
not_null(missing, `null`)
not_null()
to_array(a)
to_array(`1`)
to_array(`null`)
to_string(meta)
to_string(b)
to_string(`1.5`)
to_string(`[1, 2.0, "x\\ny", {"k": null}]`)
to_string(`1e100`)
to_string(`0.1`)
to_string(`-0.0`)
to_string(`1e16`)
to_string(`123456789.123456789`)
to_string(`"é\\u0001"`)
to_number('42')
to_number('-42')
to_number('+4_2')
to_number('4.5e1')
to_number(' 7 ')
to_number('7x')
to_number('1e')
to_number('.')
to_number('-.5')
to_number('1_')
to_number(`[]`)
to_number(`true`)
to_number(`null`)
to_number(`3.5`)
to_number('99999999999999999999')
type(@)
type(meta.f)
type(meta.zero)
type(`1.5`)
type(b)
type(people)
type(`null`)
values(`1`)
length()
length(a, b)
abs(`1`, `2`)
not_a_function(a)
not_a_function(abs(`"x"`))
sort_by(people, name)
map(name, people)
map(&name)
`foo`
`  foo`
`"foo"`
`[1, 2, {"a": 3}]`
`{"a": "b"}`
`1.0`
`-0`
`1e2`
`true`
`null`
`[1,]`
`{"a": 1`
`"unterminated`
`\\``
`[\\`]`
'raw string'
'it\\'s'
'back\\\\slash'
'é😀'
''
`1` == `1.0`
`1` == `true`
`0` == `false`
`[1]` == `[true]`
`[0]` == `[false]`
`{"a": 1}` == `{"a": 1.0}`
`{"a": 1, "b": 2}` == `{"b": 2, "a": 1}`
`null` == missing
'a' == `"a"`
`"a"` < `"b"`
`"b"` <= `"a"`
`1` < `2.5`
`true` < `false`
`[1]` < `[2]`
`1` != `1`
!`0`
!`""`
!`[]`
!`{}`
!`false`
!`null`
!`"x"`
!!meta.zero
meta.s || 'default'
meta.list || meta.empty || meta.f || 'last'
meta.count && 'yes'
meta.empty && 'no'
meta.zero || 'zero is truthy'
a || b
a && b
(a || b)
((((a))))
!(a && b)
a | [0]
a | length(@)
a[0] | @
foo | bar | baz
foo.bar | baz
{a: a, b: b}
{a: missing}
[a, b]
[missing, missing]
missing.[a, b]
missing.{a: a}
a[0].{x: @}
{"quoted": a[0], unq: b}
{a: a b: b}
{a: `1`, a: `2`}
f(a b)
length(a b)
&a
[&a]
a[&b]
foo.bar.
.foo
foo..bar
foo.1
foo.-1
foo[.]
foo[0, 1]
foo[abc]
foo[?]
foo[?bar==]
foo[bar==baz]
foo[?bar<>baz]
foo[?bar^baz]
foo[ ?bar]
foo.`"lit"`
foo[*].`"lit"`
a{}
a{foo}
a.{}
a.{foo: bar, }
a.[foo, ]
[:@]
[:::]
[:1@]
[1 2]
[:1 2]
((&
!
@=
@``
(@
@(foo)
"foo"(bar)
*foo
*0
foo[*]bar
foo[*]*
led[*
)
(
]
[
}
{
:
,
.
a = b
a ! b
a = = b
a == == b
-
-1
--1
#
foo ~ bar
a && || b
   foo   .   bar   
\tfoo\n
é
"é"
"""


HAND = [(e, d) for e in EXPRESSIONS.strip("\n").split("\n") for d in DOCS]


def test_hand_written_cases():
    bad, n = compare(HAND)
    assert n > 2000
    assert not bad, "\n".join(map(repr, bad[:20]))


# The generated part: expressions from a small grammar over documents with
# the same few keys, so that most paths hit something.

KEYS = ["a", "b", "c", "foo"]


def gen_doc(r, depth=0):
    k = r.random()
    if depth > 3 or k < 0.35:
        return r.choice([None, True, False, 0, 1, -2, 2.5, -0.5, 1e20, "",
                         "a", "b", "héllo", "10", "1e3", "x y", [], {}])
    if k < 0.65:
        return [gen_doc(r, depth + 1) for _ in range(r.randrange(5))]
    return {key: gen_doc(r, depth + 1)
            for key in r.sample(KEYS, r.randrange(1, len(KEYS) + 1))}


LITERALS = ["`1`", "`0`", "`-1`", "`2.5`", "`true`", "`false`", "`null`",
            "`\"a\"`", "`[]`", "`{}`", "`[1, 2]`", "`{\"a\": 1}`", "'a'",
            "''", "'b'", "`\"10\"`"]
FUNCS = {
    "abs": 1, "avg": 1, "ceil": 1, "contains": 2, "ends_with": 2,
    "floor": 1, "join": 2, "keys": 1, "length": 1, "max": 1, "merge": 2,
    "min": 1, "not_null": 2, "reverse": 1, "sort": 1, "starts_with": 2,
    "sum": 1, "to_array": 1, "to_string": 1, "to_number": 1, "type": 1,
    "values": 1,
}
BY_FUNCS = ["sort_by", "max_by", "min_by"]


def gen_expr(r, depth=0):
    k = r.randrange(22 if depth < 3 else 4)
    sub = lambda: gen_expr(r, depth + 1)
    if k == 0:
        return r.choice(KEYS)
    if k == 1:
        return r.choice(LITERALS)
    if k == 2:
        return "@"
    if k == 3:
        return '"%s"' % r.choice(KEYS)
    if k == 4:
        return "%s.%s" % (sub(), r.choice(KEYS + ["*", "[a, b]", "{x: a}"]))
    if k == 5:
        return "%s[%d]" % (sub(), r.randrange(-3, 3))
    if k == 6:
        parts = [r.choice(["", str(r.randrange(-4, 4))]) for _ in range(3)]
        if parts[2] == "0":
            parts[2] = "1"
        return "%s[%s:%s:%s]" % (sub(), *parts)
    if k == 7:
        return "%s[*].%s" % (sub(), r.choice(KEYS))
    if k == 8:
        return "%s[]" % sub()
    if k == 9:
        return "%s.*" % sub()
    if k == 10:
        op = r.choice(["==", "!=", "<", "<=", ">", ">="])
        return "%s[?%s %s %s]" % (sub(), sub(), op, sub())
    if k == 11:
        return "%s || %s" % (sub(), sub())
    if k == 12:
        return "%s && %s" % (sub(), sub())
    if k == 13:
        return "!%s" % sub()
    if k == 14:
        return "(%s)" % sub()
    if k == 15:
        return "%s | %s" % (sub(), sub())
    if k == 16:
        return "[%s, %s]" % (sub(), sub())
    if k == 17:
        return "{x: %s, y: %s}" % (sub(), sub())
    if k == 18:
        name = r.choice(sorted(FUNCS))
        return "%s(%s)" % (name, ", ".join(sub() for _ in range(FUNCS[name])))
    if k == 19:
        return "%s(%s, &%s)" % (r.choice(BY_FUNCS), sub(), sub())
    if k == 20:
        return "map(&%s, %s)" % (sub(), sub())
    op = r.choice(["==", "!=", "<", "<=", ">", ">="])
    return "%s %s %s" % (sub(), op, sub())


TOKENS = ["a", "b", '"a"', "`1`", "'x'", ".", "*", "[", "]", "[]", "[?", "(",
          ")", "{", "}", ",", ":", "|", "||", "&&", "&", "!", "==", "<", "@",
          "0", "-1", "length", "abs"]


def test_generated_expressions():
    r = random.Random(20240601)
    cases = [(gen_expr(r), gen_doc(r)) for _ in range(3000)]
    bad, n = compare(cases)
    assert n > 2500
    assert not bad, "\n".join(map(repr, bad[:20]))


def test_generated_token_soup():
    """Random token sequences: mostly syntax errors, which both must agree
    are errors (or agree on the result when they are not)."""
    r = random.Random(7)
    cases = [(" ".join(r.choice(TOKENS) for _ in range(r.randrange(1, 7))),
              {"a": [1, {"b": 2}], "b": "x"}) for _ in range(1500)]
    bad, n = compare(cases)
    assert n > 1400
    assert not bad, "\n".join(map(repr, bad[:20]))
