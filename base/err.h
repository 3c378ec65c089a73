/* err.h - the error type every fallible function fills.
 *
 * Contract: a fallible function takes `err_t *err`, returns < 0 on failure and
 * fills err with the errno (0 when not a system error) and a message naming the
 * object.  Callers add context as the error travels up with err_wrap().  Only
 * src/ prints an error or picks an exit status.
 */
#ifndef BERTH_ERR_H
#define BERTH_ERR_H

#include <stddef.h>

#define ERR_MSG_MAX 2048

typedef struct err {
        int code;              /* errno value, 0 if not a system error */
        char msg[ERR_MSG_MAX]; /* human readable, no trailing newline */
} err_t;

/* Fill err with code and a formatted message.  Always returns -1 so it can be
 * used as `return err_set(err, errno, "...")`.  err may be NULL. */
int err_set(err_t *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Same as err_set and appends ": strerror(code)" when code != 0. */
int err_sys(err_t *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prepend "context: " to the message already in err.  Returns -1. */
int err_wrap(err_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reset err to "no error". */
void err_clear(err_t *err);

#endif
