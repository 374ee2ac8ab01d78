/* lambda.h — the Runtime API loop: poll, handle, answer, forever. */
#ifndef TW_LAMBDA_H
#define TW_LAMBDA_H

#include "handler.h"

/* Serves invocations from the Runtime API at `api` (host:port) until the
 * Runtime API fails in a way that means the sandbox is broken. Returns the
 * process exit status: it only returns on failure. */
int tw_lambda_serve(const char *api, struct tw_app *app);

#endif
