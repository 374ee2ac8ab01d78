/* awsxml.h — a small read-only DOM for AWS Query (XML) replies, built on
 * expat without namespace processing: a default xmlns="..." leaves bare
 * element names, a prefixed name keeps its prefix ("a:b").
 *
 * Only elements and their character data are kept; attributes, comments and
 * processing instructions are dropped, and so is the text of an element that
 * has child elements (AWS replies never mix the two: it is the indentation
 * between list items). DTDs are refused outright (no DOCTYPE,
 * hence no entity declarations: billion-laughs and XXE safe). Every parse is
 * capped in depth, node count and text per node. Text buffers (and expat's own
 * buffers) are wiped before they are freed, since STS replies carry secrets. */
#ifndef TW_AWSXML_H
#define TW_AWSXML_H

#include "tw.h"

#include <stddef.h>
#include <stdint.h>

#define TW_XML_MAX_DEPTH 32           /* element nesting, the root counting as 1 */
#define TW_XML_MAX_NODES 200000       /* elements per document */
#define TW_XML_MAX_TEXT (64 * 1024)   /* bytes of character data per element */
#define TW_XML_MAX_NAME 256           /* bytes of an element name */

struct tw_xml_node {
    char *name;                   /* owned, NUL-terminated */
    char *text;                   /* owned character data (entities decoded); NULL if
                                   * none or if the element has children */
    size_t text_len, text_cap;
    struct tw_xml_node *children; /* owned array, document order */
    size_t n_children, cap_children;
};

/* Parses `body` (one XML document) into a tree whose root is the document
 * element. On success release *out with tw_xml_free(). Errors: TW_EPARSE for
 * malformed, truncated or non-UTF-8 input and for any DOCTYPE (err gives
 * expat's line, column and reason); TW_ETOOBIG past a cap above; TW_ENOMEM.
 * On failure *out is NULL. */
int tw_xml_parse(struct tw_xml_node **out, struct tw_span body, struct tw_err *err);

/* Frees a tree from tw_xml_parse, wiping its text. NULL-safe. */
void tw_xml_free(struct tw_xml_node *root);

/* The first child of `n` named `name`; NULL if none or if `n` is NULL. */
const struct tw_xml_node *tw_xml_child(const struct tw_xml_node *n, const char *name);

/* The next child of `parent` named `name` after `prev` (which must be a child
 * of `parent`), or the first one when `prev` is NULL. Iterates a Query list:
 *   for (m = tw_xml_next(list, NULL, "member"); m; m = tw_xml_next(list, m, "member")) */
const struct tw_xml_node *tw_xml_next(const struct tw_xml_node *parent,
                                      const struct tw_xml_node *prev, const char *name);

/* Follows "A/B/C" from `n` (first match at each step); "" gives `n` itself.
 * NULL when a step is missing or `n` is NULL. */
const struct tw_xml_node *tw_xml_path(const struct tw_xml_node *n, const char *path);

/* The text of `n`: NULL for a NULL node, "" for an element without text. */
const char *tw_xml_text(const struct tw_xml_node *n);

/* Typed reads of the element at `path` below `n`. Error messages name
 * `path`; callers add context with tw_err_prefix.
 *
 * String: a copy of the text (an empty element gives ""); absent gives
 * *out = NULL, which is TW_EPARSE when `required`. TW_ENOMEM possible. */
int tw_xml_get_string(char **out, const struct tw_xml_node *n, const char *path, int required,
                      struct tw_err *err);

/* Boolean "true" / "false" exactly, integer (decimal, within [min, max]) and
 * double (finite, C syntax). When the element is absent: with `have` non-NULL
 * *have = 0 and *out is left alone (preset the default); with `have` NULL the
 * element is required (TW_EPARSE). Present but malformed: TW_EPARSE. */
int tw_xml_get_bool(int *out, int *have, const struct tw_xml_node *n, const char *path,
                    struct tw_err *err);
int tw_xml_get_int(int64_t *out, int *have, const struct tw_xml_node *n, const char *path,
                   int64_t min, int64_t max, struct tw_err *err);
int tw_xml_get_double(double *out, int *have, const struct tw_xml_node *n, const char *path,
                      struct tw_err *err);

#endif
