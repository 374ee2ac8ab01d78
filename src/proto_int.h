/* proto_int.h — internals shared by awsproto.c and the proto_<service>.c
 * files. Not for other modules. */
#ifndef TW_PROTO_INT_H
#define TW_PROTO_INT_H

#include "awsjson.h"
#include "awsproto.h"
#include "awsxml.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* Appends `doc` printed compactly to `out` (botocore's json.dumps puts a
 * space after ',' and ':'; the services do not care); `out` unchanged on
 * failure. */
int tw_proto_emit_json(struct tw_buf *out, const cJSON *doc, const char *op, struct tw_err *err);

/* Appends the finished body `built` to `out`; `out` unchanged on failure. */
int tw_proto_commit(struct tw_buf *out, const struct tw_buf *built, const char *op,
                    struct tw_err *err);

/* Starts a Query body "Action=<action>&Version=<version>" in `form`. */
int tw_proto_form_start(struct tw_buf *form, const char *action, const char *version,
                        struct tw_err *err);

/* TW_ERR naming `what` when `s` is NULL or empty. */
int tw_proto_need(const char *s, const char *op, const char *what, struct tw_err *err);

/* A JSON 1.1 reply that must be one JSON object. On failure *out is NULL and
 * err says "<op> reply: ...". */
int tw_proto_json_reply(cJSON **out, struct tw_span body, const char *op, struct tw_err *err);

/* A Query reply: root <op>Response (or <alt_op>Response when alt_op is not
 * NULL) holding <...Result>. On success *root owns the tree and *result
 * points into it. On failure *root is NULL. */
int tw_proto_xml_reply(struct tw_xml_node **root, const struct tw_xml_node **result,
                       struct tw_span body, const char *op, const char *alt_op,
                       struct tw_err *err);

/* Number of children of `list` named "member" (0 for NULL); TW_ETOOBIG when
 * more than `max`, with err naming `what`. */
int tw_proto_xml_count(size_t *out, const struct tw_xml_node *list, size_t max, const char *what,
                       struct tw_err *err);

/* The <member> texts of `list` (NULL list: empty) as a string array. */
int tw_proto_xml_strv(char ***out, size_t *out_n, const struct tw_xml_node *list,
                      const char *what, struct tw_err *err);

/* Reads an optional next token ("" counts as none). */
int tw_proto_json_token(char **out, const cJSON *obj, const char *name, struct tw_err *err);
int tw_proto_xml_token(char **out, const struct tw_xml_node *result, const char *name,
                       struct tw_err *err);

/* Sets *out to `dst` grown by `n_src` items of `elem` bytes copied from
 * `src` (the caller then frees `src` without cleaning its items, which now
 * live in *out). TW_ETOOBIG when the total would pass
 * TW_PROTO_MAX_TOTAL_ITEMS, TW_ENOMEM; on failure `dst` is untouched. */
int tw_proto_concat(void **out, void *dst, size_t n_dst, const void *src, size_t n_src,
                    size_t elem, const char *op, struct tw_err *err);

/* One page of a Query list reply: <op>Response (or <alt_op>Response) /
 * <...Result> / <list> / member..., each member parsed by `parse` into an
 * array of `elem`-byte items. */
struct tw_proto_xml_list {
    const char *op, *alt_op; /* alt_op may be NULL */
    const char *list;        /* e.g. "MetricAlarms" */
    size_t elem;             /* bytes per item */
    int (*parse)(void *item, const struct tw_xml_node *member, struct tw_err *err);
    void (*free_items)(void *items, size_t n); /* cleans and frees an array */
};

/* Appends the page's items to (items, n_items): *grown receives the array
 * and *n_added how many were appended. The page's NextToken goes to
 * *next_token (NULL when absent) unless next_token is NULL (a reply without
 * one). On failure *grown is `items`, unchanged, and nothing of this page
 * is kept; err says "<op> reply: <list> member N: ..." for a bad member. */
int tw_proto_xml_list_page(const struct tw_proto_xml_list *spec, void **grown, void *items,
                           size_t n_items, size_t *n_added, char **next_token,
                           struct tw_span body, struct tw_err *err);

#endif
