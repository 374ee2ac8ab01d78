/* awsxml.c — a capped, DTD-free DOM on expat for AWS Query replies. */
#include "awsxml.h"

#include <errno.h>
#include <expat.h>
#include <limits.h>
#include <math.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- expat's memory, wiped on release ----------------------------------------
 * AssumeRole replies carry a secret key and a session token; expat copies
 * character data into its own buffers, so those are wiped too. Each block
 * remembers its size in a header aligned for any object. */

union s_hdr {
    size_t n;
    max_align_t align_;
};

static void *s_mm_malloc(size_t n)
{
    union s_hdr *h;

    if (n > SIZE_MAX - sizeof(*h))
        return NULL;
    h = malloc(sizeof(*h) + n);
    if (!h)
        return NULL;
    h->n = n;
    return h + 1;
}

static void s_mm_free(void *p)
{
    union s_hdr *h;

    if (!p)
        return;
    h = (union s_hdr *)p - 1;
    OPENSSL_cleanse(p, h->n);
    free(h);
}

static void *s_mm_realloc(void *p, size_t n)
{
    size_t old;
    void *q;

    if (!p)
        return s_mm_malloc(n);
    old = ((union s_hdr *)p - 1)->n;
    q = s_mm_malloc(n);
    if (!q)
        return NULL;
    memcpy(q, p, old < n ? old : n);
    s_mm_free(p);
    return q;
}

static const XML_Memory_Handling_Suite s_mm = { s_mm_malloc, s_mm_realloc, s_mm_free };

/* ---- the tree ------------------------------------------------------------------ */

static void s_node_cleanup(struct tw_xml_node *n)
{
    for (size_t i = 0; i < n->n_children; i++)
        s_node_cleanup(&n->children[i]);
    free(n->children);
    if (n->text)
        OPENSSL_cleanse(n->text, n->text_cap);
    free(n->text);
    free(n->name);
    memset(n, 0, sizeof(*n));
}

void tw_xml_free(struct tw_xml_node *root)
{
    if (!root)
        return;
    s_node_cleanup(root);
    free(root);
}

/* Appends character data; grows by copying so no unwiped copy is left behind. */
static int s_text_append(struct tw_xml_node *n, const char *s, size_t len)
{
    size_t need, cap;
    char *p;

    if (len > TW_XML_MAX_TEXT - n->text_len)
        return TW_ETOOBIG;
    need = n->text_len + len + 1;
    if (need > n->text_cap) {
        cap = n->text_cap ? n->text_cap : 64;
        while (cap < need)
            cap *= 2;
        if (cap > TW_XML_MAX_TEXT + 1)
            cap = TW_XML_MAX_TEXT + 1;
        p = malloc(cap);
        if (!p)
            return TW_ENOMEM;
        if (n->text) {
            memcpy(p, n->text, n->text_len);
            OPENSSL_cleanse(n->text, n->text_cap);
            free(n->text);
        }
        n->text = p;
        n->text_cap = cap;
    }
    memcpy(n->text + n->text_len, s, len);
    n->text_len += len;
    n->text[n->text_len] = '\0';
    return TW_OK;
}

/* ---- expat callbacks ----------------------------------------------------------- */

struct s_parse {
    XML_Parser p;
    struct tw_xml_node *root;
    struct tw_xml_node *stack[TW_XML_MAX_DEPTH];
    size_t depth;
    size_t n_nodes;
    int rc;        /* TW_OK until a callback gives up */
    char why[128];
};

static void s_fail(struct s_parse *st, int rc, const char *why)
{
    if (st->rc == TW_OK) {
        st->rc = rc;
        tw_strlcpy(st->why, why, sizeof(st->why));
    }
    XML_StopParser(st->p, XML_FALSE);
}

static void XMLCALL s_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct s_parse *st = ud;
    struct tw_xml_node *n, *parent;
    size_t len = strlen(name);

    (void)atts;
    if (st->rc != TW_OK)
        return;
    if (st->depth >= TW_XML_MAX_DEPTH) {
        s_fail(st, TW_ETOOBIG, "elements nest more than 32 deep");
        return;
    }
    if (st->n_nodes >= TW_XML_MAX_NODES) {
        s_fail(st, TW_ETOOBIG, "more than 200000 elements");
        return;
    }
    if (len > TW_XML_MAX_NAME) {
        s_fail(st, TW_ETOOBIG, "an element name is longer than 256 bytes");
        return;
    }
    if (st->depth == 0) {
        n = calloc(1, sizeof(*n));
        if (!n) {
            s_fail(st, TW_ENOMEM, "out of memory");
            return;
        }
        st->root = n;
    } else {
        parent = st->stack[st->depth - 1];
        /* AWS replies never mix text and elements: a container's text is the
         * indentation between its children, dropped so that long lists do
         * not run into the text cap. */
        if (parent->text) {
            OPENSSL_cleanse(parent->text, parent->text_cap);
            free(parent->text);
            parent->text = NULL;
            parent->text_len = parent->text_cap = 0;
        }
        if (parent->n_children == parent->cap_children) {
            size_t cap = parent->cap_children ? parent->cap_children * 2 : 4;
            struct tw_xml_node *c = realloc(parent->children, cap * sizeof(*c));
            if (!c) {
                s_fail(st, TW_ENOMEM, "out of memory");
                return;
            }
            parent->children = c;
            parent->cap_children = cap;
        }
        n = &parent->children[parent->n_children++];
        memset(n, 0, sizeof(*n));
    }
    n->name = malloc(len + 1);
    if (!n->name) {
        s_fail(st, TW_ENOMEM, "out of memory");
        return;
    }
    memcpy(n->name, name, len + 1);
    st->stack[st->depth++] = n;
    st->n_nodes++;
}

static void XMLCALL s_end(void *ud, const XML_Char *name)
{
    struct s_parse *st = ud;

    (void)name;
    if (st->rc == TW_OK && st->depth > 0)
        st->depth--;
}

static void XMLCALL s_chars(void *ud, const XML_Char *s, int len)
{
    struct s_parse *st = ud;
    int rc;

    if (st->rc != TW_OK || st->depth == 0 || len <= 0 ||
        st->stack[st->depth - 1]->n_children > 0)
        return;
    rc = s_text_append(st->stack[st->depth - 1], s, (size_t)len);
    if (rc == TW_ETOOBIG)
        s_fail(st, rc, "an element holds more than 64 KiB of text");
    else if (rc != TW_OK)
        s_fail(st, rc, "out of memory");
}

/* No DTD is ever legitimate in an AWS reply; refusing it at the DOCTYPE
 * leaves no way to declare (and expand) entities. */
static void XMLCALL s_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                              const XML_Char *pubid, int has_internal_subset)
{
    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal_subset;
    s_fail(ud, TW_EPARSE, "a DOCTYPE (DTD) is not accepted");
}

static void XMLCALL s_entity_decl(void *ud, const XML_Char *name, int is_param,
                                  const XML_Char *value, int value_len, const XML_Char *base,
                                  const XML_Char *sysid, const XML_Char *pubid,
                                  const XML_Char *notation)
{
    (void)name;
    (void)is_param;
    (void)value;
    (void)value_len;
    (void)base;
    (void)sysid;
    (void)pubid;
    (void)notation;
    s_fail(ud, TW_EPARSE, "entity declarations are not accepted");
}

int tw_xml_parse(struct tw_xml_node **out, struct tw_span body, struct tw_err *err)
{
    struct s_parse st;
    int rc = TW_ERR;

    *out = NULL;
    memset(&st, 0, sizeof(st));
    if (body.len > INT_MAX) {
        tw_err_set(err, "XML document of %zu bytes is too large", body.len);
        return TW_ETOOBIG;
    }
    st.p = XML_ParserCreate_MM(NULL, &s_mm, NULL);
    if (!st.p) {
        tw_err_set(err, "out of memory creating the XML parser");
        return TW_ENOMEM;
    }
    XML_SetUserData(st.p, &st);
    XML_SetElementHandler(st.p, s_start, s_end);
    XML_SetCharacterDataHandler(st.p, s_chars);
    XML_SetStartDoctypeDeclHandler(st.p, s_doctype);
    XML_SetEntityDeclHandler(st.p, s_entity_decl);
    XML_SetParamEntityParsing(st.p, XML_PARAM_ENTITY_PARSING_NEVER);
    if (XML_Parse(st.p, body.ptr ? body.ptr : "", (int)body.len, XML_TRUE) != XML_STATUS_OK ||
        st.rc != TW_OK) {
        unsigned long long line = (unsigned long long)XML_GetCurrentLineNumber(st.p);
        unsigned long long col = (unsigned long long)XML_GetCurrentColumnNumber(st.p);
        rc = st.rc != TW_OK ? st.rc : TW_EPARSE;
        if (rc == TW_ENOMEM)
            tw_err_set(err, "out of memory parsing XML");
        else
            tw_err_set(err, "XML line %llu, column %llu: %s", line, col,
                       st.rc != TW_OK ? st.why : XML_ErrorString(XML_GetErrorCode(st.p)));
        goto out;
    }
    if (!st.root) {
        tw_err_set(err, "XML document has no element");
        rc = TW_EPARSE;
        goto out;
    }
    *out = st.root;
    st.root = NULL;
    rc = TW_OK;
out:
    tw_xml_free(st.root);
    XML_ParserFree(st.p);
    return rc;
}

/* ---- navigation ----------------------------------------------------------------- */

static const struct tw_xml_node *s_child_n(const struct tw_xml_node *n, const char *name,
                                           size_t len)
{
    if (!n)
        return NULL;
    for (size_t i = 0; i < n->n_children; i++) {
        const char *c = n->children[i].name;
        if (c && strncmp(c, name, len) == 0 && c[len] == '\0')
            return &n->children[i];
    }
    return NULL;
}

const struct tw_xml_node *tw_xml_child(const struct tw_xml_node *n, const char *name)
{
    return s_child_n(n, name, strlen(name));
}

const struct tw_xml_node *tw_xml_next(const struct tw_xml_node *parent,
                                      const struct tw_xml_node *prev, const char *name)
{
    size_t i = 0;

    if (!parent)
        return NULL;
    if (prev) {
        if (prev < parent->children || prev >= parent->children + parent->n_children)
            return NULL;
        i = (size_t)(prev - parent->children) + 1;
    }
    for (; i < parent->n_children; i++) {
        if (parent->children[i].name && strcmp(parent->children[i].name, name) == 0)
            return &parent->children[i];
    }
    return NULL;
}

const struct tw_xml_node *tw_xml_path(const struct tw_xml_node *n, const char *path)
{
    while (n && *path) {
        const char *slash = strchr(path, '/');
        size_t len = slash ? (size_t)(slash - path) : strlen(path);

        n = s_child_n(n, path, len);
        path += len;
        if (*path == '/')
            path++;
    }
    return n;
}

const char *tw_xml_text(const struct tw_xml_node *n)
{
    if (!n)
        return NULL;
    return n->text ? n->text : "";
}

/* ---- typed reads ------------------------------------------------------------------ */

int tw_xml_get_string(char **out, const struct tw_xml_node *n, const char *path, int required,
                      struct tw_err *err)
{
    const struct tw_xml_node *e = tw_xml_path(n, path);

    *out = NULL;
    if (!e) {
        if (!required)
            return TW_OK;
        tw_err_set(err, "missing element <%s>", path);
        return TW_EPARSE;
    }
    *out = tw_strdup(tw_xml_text(e));
    if (!*out) {
        tw_err_set(err, "out of memory");
        return TW_ENOMEM;
    }
    return TW_OK;
}

/* The element's text, or NULL: absent-and-optional (rc TW_OK) or an error. */
static const char *s_scalar(int *rc, int *have, const struct tw_xml_node *n, const char *path,
                            struct tw_err *err)
{
    const struct tw_xml_node *e = tw_xml_path(n, path);

    *rc = TW_OK;
    if (e) {
        if (have)
            *have = 1;
        return tw_xml_text(e);
    }
    if (have) {
        *have = 0;
        return NULL;
    }
    tw_err_set(err, "missing element <%s>", path);
    *rc = TW_EPARSE;
    return NULL;
}

int tw_xml_get_bool(int *out, int *have, const struct tw_xml_node *n, const char *path,
                    struct tw_err *err)
{
    int rc;
    const char *t = s_scalar(&rc, have, n, path, err);

    if (!t)
        return rc;
    if (strcmp(t, "true") == 0) {
        *out = 1;
    } else if (strcmp(t, "false") == 0) {
        *out = 0;
    } else {
        if (have)
            *have = 0;
        tw_err_set(err, "element <%s> is not a boolean (\"%.40s\")", path, t);
        return TW_EPARSE;
    }
    return TW_OK;
}

int tw_xml_get_int(int64_t *out, int *have, const struct tw_xml_node *n, const char *path,
                   int64_t min, int64_t max, struct tw_err *err)
{
    int rc;
    const char *t = s_scalar(&rc, have, n, path, err);
    char *end;
    long long v;

    if (!t)
        return rc;
    errno = 0;
    v = strtoll(t, &end, 10);
    if (!((t[0] >= '0' && t[0] <= '9') || t[0] == '-') || *end != '\0' || errno == ERANGE ||
        v < min || v > max) {
        if (have)
            *have = 0;
        tw_err_set(err, "element <%s> is not an integer in [%lld, %lld] (\"%.40s\")", path,
                   (long long)min, (long long)max, t);
        return TW_EPARSE;
    }
    *out = (int64_t)v;
    return TW_OK;
}

int tw_xml_get_double(double *out, int *have, const struct tw_xml_node *n, const char *path,
                      struct tw_err *err)
{
    int rc;
    const char *t = s_scalar(&rc, have, n, path, err);
    char *end;
    double v = 0.0;
    int ok;

    if (!t)
        return rc;
    /* Decimal syntax only: no whitespace, hex floats, "inf" or "nan". */
    ok = t[0] && strspn(t, "0123456789+-.eE") == strlen(t);
    if (ok) {
        v = strtod(t, &end);
        ok = *end == '\0' && isfinite(v);
    }
    if (!ok) {
        if (have)
            *have = 0;
        tw_err_set(err, "element <%s> is not a number (\"%.40s\")", path, t);
        return TW_EPARSE;
    }
    *out = v;
    return TW_OK;
}
