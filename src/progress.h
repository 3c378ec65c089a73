/* progress.h - compose-style progress output.
 *
 * TTY mode redraws one line per resource with its state and elapsed time,
 * like docker compose v2:
 *     [+] Running 2/3
 *      ✔ Network hello_default  Created   0.1s
 *      ⠿ Container hello-web-1  Starting  0.4s
 * plain mode prints one line per state change (" Container hello-web-1  Started"),
 * quiet mode prints nothing.  All calls are thread-safe. */
#ifndef BERTH_PROGRESS_H
#define BERTH_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

enum progress_mode { PROGRESS_PLAIN, PROGRESS_TTY, PROGRESS_QUIET };
enum progress_state { PROGRESS_WAITING, PROGRESS_WORKING, PROGRESS_DONE, PROGRESS_ERROR };

struct progress;

/* mode_name: "auto", "tty", "plain", "quiet" or NULL (= auto: tty when out is a terminal). */
struct progress *progress_new(FILE *out, const char *mode_name, const char *title);
/* Add a resource line, e.g. ("Container", "hello-web-1"); returns its id. */
size_t progress_add(struct progress *p, const char *kind, const char *name);
/* Update a line's state and its text ("Creating", "Started", "Healthy", "Error"). */
void progress_set(struct progress *p, size_t id, enum progress_state st, const char *text);
/* End a line after its operation: r < 0 marks it "Error" and prints errmsg
 * on stderr (returns true: it failed), else it shows done_text. */
bool progress_finish(struct progress *p, size_t id, int r, const char *errmsg,
                     const char *done_text);
/* Final redraw; frees p. */
void progress_end(struct progress *p);

#endif
