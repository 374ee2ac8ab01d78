/* test_awsxml.c — the expat DOM: shape, navigation, caps and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "awsxml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int s_parse(struct tw_xml_node **root, const char *text, struct tw_err *err)
{
    tw_err_clear(err);
    return tw_xml_parse(root, tw_span_cstr(text), err);
}

static void test_xml_tree_and_paths(void **state)
{
    static const char doc[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<DescribeAlarmsResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">\n"
        "  <DescribeAlarmsResult>\n"
        "    <MetricAlarms>\n"
        "      <member><AlarmName>a &amp; b</AlarmName>\n"
        "        <AlarmActions><member>arn:1</member><member>arn:2</member></AlarmActions>\n"
        "        <Empty/><Cdata><![CDATA[<not> &amp; markup]]></Cdata>\n"
        "        <Refs>&#xE9;&#233;&lt;&gt;&quot;&apos;</Refs>\n"
        "        <!-- a comment --><?pi data?>\n"
        "      </member>\n"
        "      <member><AlarmName>second</AlarmName></member>\n"
        "    </MetricAlarms>\n"
        "  </DescribeAlarmsResult>\n"
        "</DescribeAlarmsResponse>\n";
    struct tw_xml_node *root = NULL;
    const struct tw_xml_node *list, *m, *actions, *a;
    struct tw_err err;
    int n = 0;

    (void)state;
    assert_int_equal(s_parse(&root, doc, &err), TW_OK);
    assert_string_equal(root->name, "DescribeAlarmsResponse"); /* default xmlns: bare names */
    list = tw_xml_path(root, "DescribeAlarmsResult/MetricAlarms");
    assert_non_null(list);
    assert_ptr_equal(tw_xml_path(root, ""), root);
    assert_null(tw_xml_path(root, "DescribeAlarmsResult/Nope"));
    assert_null(tw_xml_path(NULL, "A"));
    m = tw_xml_next(list, NULL, "member");
    assert_string_equal(tw_xml_text(tw_xml_child(m, "AlarmName")), "a & b");
    assert_string_equal(tw_xml_text(tw_xml_child(m, "Empty")), "");
    assert_null(tw_xml_text(tw_xml_child(m, "Missing")));
    assert_string_equal(tw_xml_text(tw_xml_child(m, "Cdata")), "<not> &amp; markup");
    assert_string_equal(tw_xml_text(tw_xml_child(m, "Refs")), "\xC3\xA9\xC3\xA9<>\"'");
    /* Nested lists: the inner <member>s are not the outer ones. */
    actions = tw_xml_child(m, "AlarmActions");
    for (a = tw_xml_next(actions, NULL, "member"); a; a = tw_xml_next(actions, a, "member"))
        n++;
    assert_int_equal(n, 2);
    m = tw_xml_next(list, m, "member");
    assert_string_equal(tw_xml_text(tw_xml_child(m, "AlarmName")), "second");
    assert_null(tw_xml_next(list, m, "member"));
    /* A prev that is not a child gives NULL rather than a wild read. */
    assert_null(tw_xml_next(list, root, "member"));
    tw_xml_free(root);
    tw_xml_free(NULL);
}

static void test_xml_prefixed_names_kept(void **state)
{
    struct tw_xml_node *root = NULL;
    struct tw_err err;

    (void)state;
    assert_int_equal(s_parse(&root, "<a:R xmlns:a=\"urn:x\"><a:B>t</a:B></a:R>", &err), TW_OK);
    assert_string_equal(root->name, "a:R");
    assert_string_equal(tw_xml_text(tw_xml_child(root, "a:B")), "t");
    tw_xml_free(root);
}

/* Every malformed or hostile document fails cleanly, with *out NULL. */
static void test_xml_rejects(void **state)
{
    static const struct {
        const char *doc;
        int want;
        const char *msg;
    } cases[] = {
        { "", TW_EPARSE, "no element found" },
        { "   ", TW_EPARSE, "line 1" },
        { "<a>", TW_EPARSE, "no element found" },
        { "<a><b></a>", TW_EPARSE, "mismatched tag" },
        { "<a></a><b/>", TW_EPARSE, "junk after document element" },
        { "not xml", TW_EPARSE, "syntax error" },
        { "<a>\xff\xfe</a>", TW_EPARSE, "invalid token" },
        { "<a>\xc3\x28</a>", TW_EPARSE, "invalid token" },
        { "<a>&undefined;</a>", TW_EPARSE, "undefined entity" },
        { "<a>&#0;</a>", TW_EPARSE, "reference to invalid character" },
        /* Billion laughs: refused at the DOCTYPE, before any entity exists. */
        { "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
          " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
          " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
          " <!ENTITY lol9 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
          "]>\n<lolz>&lol9;</lolz>",
          TW_EPARSE, "DOCTYPE" },
        /* XXE */
        { "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>", TW_EPARSE,
          "DOCTYPE" },
        { "<!DOCTYPE r SYSTEM \"http://example.com/r.dtd\"><r/>", TW_EPARSE, "DOCTYPE" },
        { "<?xml version=\"1.0\" encoding=\"x-unknown\"?><r/>", TW_EPARSE, "encoding" },
    };
    struct tw_xml_node *root;
    struct tw_err err;

    (void)state;
    for (size_t i = 0; i < TW_ARRAY_LEN(cases); i++) {
        int rc;
        root = (struct tw_xml_node *)&err; /* must be reset */
        rc = s_parse(&root, cases[i].doc, &err);
        if (rc != cases[i].want || root != NULL || !strstr(err.msg, cases[i].msg))
            fail_msg("case %zu: rc %d, msg \"%s\"", i, rc, err.msg);
    }
    /* Truncated: with line and column. */
    assert_int_equal(s_parse(&root, "<a>\n  <b>text</b>\n  <c>te", &err), TW_EPARSE);
    assert_non_null(strstr(err.msg, "XML line 3, column"));
}

static char *s_repeat(const char *head, const char *unit, size_t n, const char *tail)
{
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(hl + ul * n + tl + 1), *p = s;

    assert_non_null(s);
    memcpy(p, head, hl);
    p += hl;
    for (size_t i = 0; i < n; i++, p += ul)
        memcpy(p, unit, ul);
    memcpy(p, tail, tl + 1);
    return s;
}

static void test_xml_caps(void **state)
{
    struct tw_xml_node *root = NULL;
    struct tw_err err;
    char *doc, *open, *close;

    (void)state;
    /* Depth: 32 levels pass, 33 do not. */
    open = s_repeat("", "<d>", 32, "");
    close = s_repeat("", "</d>", 32, "");
    doc = malloc(strlen(open) + strlen(close) + 1);
    assert_non_null(doc);
    snprintf(doc, strlen(open) + strlen(close) + 1, "%s%s", open, close);
    assert_int_equal(s_parse(&root, doc, &err), TW_OK);
    assert_non_null(tw_xml_path(root, "d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d"));
    tw_xml_free(root);
    free(doc);
    free(open);
    free(close);
    open = s_repeat("", "<d>", 33, "");
    close = s_repeat("", "</d>", 33, "");
    doc = malloc(strlen(open) + strlen(close) + 1);
    assert_non_null(doc);
    snprintf(doc, strlen(open) + strlen(close) + 1, "%s%s", open, close);
    assert_int_equal(s_parse(&root, doc, &err), TW_ETOOBIG);
    assert_null(root);
    assert_non_null(strstr(err.msg, "32 deep"));
    free(doc);
    free(open);
    free(close);

    /* Node count: the root plus 199,999 children pass; one more does not. */
    doc = s_repeat("<r>", "<m/>", TW_XML_MAX_NODES - 1, "</r>");
    assert_int_equal(s_parse(&root, doc, &err), TW_OK);
    assert_int_equal(root->n_children, TW_XML_MAX_NODES - 1);
    tw_xml_free(root);
    free(doc);
    doc = s_repeat("<r>", "<m/>", TW_XML_MAX_NODES, "</r>");
    assert_int_equal(s_parse(&root, doc, &err), TW_ETOOBIG);
    assert_null(root);
    free(doc);

    /* Text: 64 KiB pass (even split by entity references), one byte more does not. */
    doc = s_repeat("<r>", "x", TW_XML_MAX_TEXT - 5, "&amp;&lt;xxx</r>");
    assert_int_equal(s_parse(&root, doc, &err), TW_OK);
    assert_int_equal(root->text_len, TW_XML_MAX_TEXT);
    assert_int_equal(strlen(tw_xml_text(root)), TW_XML_MAX_TEXT);
    tw_xml_free(root);
    free(doc);
    doc = s_repeat("<r>", "x", TW_XML_MAX_TEXT + 1, "</r>");
    assert_int_equal(s_parse(&root, doc, &err), TW_ETOOBIG);
    assert_non_null(strstr(err.msg, "64 KiB"));
    free(doc);

    /* A container's indentation does not count: 10,000 indented members. */
    doc = s_repeat("<r>", "\n          <member>x</member>", 10000, "\n</r>");
    assert_int_equal(s_parse(&root, doc, &err), TW_OK);
    assert_int_equal(root->n_children, 10000);
    assert_string_equal(tw_xml_text(root), "");
    assert_string_equal(tw_xml_text(&root->children[9999]), "x");
    tw_xml_free(root);
    free(doc);
    /* ... nor text before the first child. */
    assert_int_equal(s_parse(&root, "<r>lead<a>t</a>tail</r>", &err), TW_OK);
    assert_string_equal(tw_xml_text(root), "");
    tw_xml_free(root);

    /* Element names. */
    doc = s_repeat("<", "n", TW_XML_MAX_NAME + 1, "/>");
    assert_int_equal(s_parse(&root, doc, &err), TW_ETOOBIG);
    free(doc);
}

static void test_xml_typed_getters(void **state)
{
    static const char doc[] =
        "<r><s>text</s><e/><t>true</t><f>false</f><T>True</T><i>42</i><neg>-7</neg>"
        "<big>99999999999999999999</big><ws> 1</ws><d>1.0E-3</d><d2>-2.5</d2>"
        "<inf>inf</inf><hex>0x10</hex><nested><x>1</x></nested></r>";
    struct tw_xml_node *root = NULL;
    struct tw_err err;
    char *s = NULL;
    int b = 5, have = 9;
    int64_t i = 0;
    double d = 0;

    (void)state;
    assert_int_equal(s_parse(&root, doc, &err), TW_OK);
    assert_int_equal(tw_xml_get_string(&s, root, "s", 1, &err), TW_OK);
    assert_string_equal(s, "text");
    free(s);
    assert_int_equal(tw_xml_get_string(&s, root, "e", 1, &err), TW_OK);
    assert_string_equal(s, "");
    free(s);
    assert_int_equal(tw_xml_get_string(&s, root, "nested/x", 1, &err), TW_OK);
    assert_string_equal(s, "1");
    free(s);
    assert_int_equal(tw_xml_get_string(&s, root, "absent", 0, &err), TW_OK);
    assert_null(s);
    assert_int_equal(tw_xml_get_string(&s, root, "absent", 1, &err), TW_EPARSE);
    assert_null(s);
    assert_non_null(strstr(err.msg, "<absent>"));

    assert_int_equal(tw_xml_get_bool(&b, &have, root, "t", &err), TW_OK);
    assert_int_equal(b, 1);
    assert_int_equal(have, 1);
    assert_int_equal(tw_xml_get_bool(&b, NULL, root, "f", &err), TW_OK);
    assert_int_equal(b, 0);
    b = 7;
    assert_int_equal(tw_xml_get_bool(&b, &have, root, "absent", &err), TW_OK);
    assert_int_equal(have, 0);
    assert_int_equal(b, 7); /* left alone: the caller's default */
    assert_int_equal(tw_xml_get_bool(&b, NULL, root, "absent", &err), TW_EPARSE);
    assert_int_equal(tw_xml_get_bool(&b, &have, root, "T", &err), TW_EPARSE);
    assert_non_null(strstr(err.msg, "<T> is not a boolean"));

    assert_int_equal(tw_xml_get_int(&i, &have, root, "i", 0, 100, &err), TW_OK);
    assert_int_equal(i, 42);
    assert_int_equal(tw_xml_get_int(&i, &have, root, "neg", -10, 10, &err), TW_OK);
    assert_int_equal(i, -7);
    assert_int_equal(tw_xml_get_int(&i, &have, root, "i", 0, 41, &err), TW_EPARSE);
    assert_int_equal(tw_xml_get_int(&i, &have, root, "big", INT64_MIN, INT64_MAX, &err),
                     TW_EPARSE);
    assert_int_equal(tw_xml_get_int(&i, &have, root, "ws", 0, 10, &err), TW_EPARSE);
    assert_int_equal(tw_xml_get_int(&i, &have, root, "e", 0, 10, &err), TW_EPARSE);
    assert_int_equal(tw_xml_get_int(&i, &have, root, "absent", 0, 10, &err), TW_OK);
    assert_int_equal(have, 0);

    assert_int_equal(tw_xml_get_double(&d, &have, root, "d", &err), TW_OK);
    assert_true(d > 0.00099 && d < 0.00101);
    assert_int_equal(tw_xml_get_double(&d, NULL, root, "d2", &err), TW_OK);
    assert_true(d == -2.5);
    assert_int_equal(tw_xml_get_double(&d, &have, root, "inf", &err), TW_EPARSE);
    assert_int_equal(tw_xml_get_double(&d, &have, root, "hex", &err), TW_EPARSE);
    assert_int_equal(tw_xml_get_double(&d, &have, root, "e", &err), TW_EPARSE);
    assert_int_equal(tw_xml_get_double(&d, &have, root, "ws", &err), TW_EPARSE);
    tw_xml_free(root);
}

/* A document split anywhere: either the complete document or a clean error. */
static void test_xml_every_prefix(void **state)
{
    static const char doc[] =
        "<?xml version=\"1.0\"?>\n<R xmlns=\"urn:x\"><A>t&amp;x</A><B><member>1</member>"
        "<member><![CDATA[2]]></member></B><!-- c --><C/></R>\n";
    size_t full = strlen(doc) - 1; /* the trailing newline is optional */

    (void)state;
    for (size_t cut = 0; cut <= strlen(doc); cut++) {
        struct tw_xml_node *root = NULL;
        struct tw_err err;
        struct tw_span s = { doc, cut };
        int rc;

        tw_err_clear(&err);
        rc = tw_xml_parse(&root, s, &err);
        if (cut < full && (rc != TW_EPARSE || root || !err.msg[0]))
            fail_msg("cut %zu: rc %d", cut, rc);
        if (cut >= full && (rc != TW_OK || !root))
            fail_msg("cut %zu: rc %d (%s)", cut, rc, err.msg);
        tw_xml_free(root);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xml_tree_and_paths),
        cmocka_unit_test(test_xml_prefixed_names_kept),
        cmocka_unit_test(test_xml_rejects),
        cmocka_unit_test(test_xml_caps),
        cmocka_unit_test(test_xml_typed_getters),
        cmocka_unit_test(test_xml_every_prefix),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
