#include "progress.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/xalloc.h"

struct pline {
        char *kind, *name, *text;
        enum progress_state st;
        double start, end;
};

struct progress {
        FILE *out;
        enum progress_mode mode;
        char *title;
        struct pline *lines;
        size_t n, cap;
        size_t drawn; /* lines on screen from the last redraw (TTY) */
        unsigned tick;
        bool stop;
        pthread_mutex_t mu;
        pthread_t ticker;
        bool has_ticker;
};

static double now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t name_width(const struct progress *p)
{
        size_t w = 0;
        for (size_t i = 0; i < p->n; i++) {
                size_t l = strlen(p->lines[i].kind) + 1 + strlen(p->lines[i].name);
                if (l > w)
                        w = l;
        }
        return w;
}

/* Called with mu held. */
static void redraw(struct progress *p)
{
        static const char *spin[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
        size_t done = 0, w = name_width(p);
        double now = now_s();

        for (size_t i = 0; i < p->drawn; i++)
                fputs("\033[A", p->out);
        for (size_t i = 0; i < p->n; i++)
                if (p->lines[i].st == PROGRESS_DONE)
                        done++;
        fprintf(p->out, "\r\033[K\033[34m[+]\033[0m %s %zu/%zu\n", p->title, done, p->n);
        for (size_t i = 0; i < p->n; i++) {
                struct pline *l = &p->lines[i];
                const char *mark = l->st == PROGRESS_DONE    ? "\033[32m✔\033[0m"
                                   : l->st == PROGRESS_ERROR ? "\033[31m✘\033[0m"
                                   : l->st == PROGRESS_WAITING
                                       ? " "
                                       : spin[p->tick % (sizeof(spin) / sizeof(spin[0]))];
                double el = l->start > 0 ? ((l->end > 0 ? l->end : now) - l->start) : 0;
                int pad = (int)(w - strlen(l->kind) - 1);
                fprintf(p->out, "\r\033[K %s %s %s%*s  %-10s %5.1fs\n", mark, l->kind, l->name, pad,
                        "", l->text ? l->text : "", el);
        }
        p->drawn = p->n + 1;
        fflush(p->out);
}

static void *ticker_main(void *arg)
{
        struct progress *p = arg;
        for (;;) {
                usleep(100000);
                pthread_mutex_lock(&p->mu);
                if (p->stop) {
                        pthread_mutex_unlock(&p->mu);
                        return NULL;
                }
                p->tick++;
                redraw(p);
                pthread_mutex_unlock(&p->mu);
        }
}

struct progress *progress_new(FILE *out, const char *mode_name, const char *title)
{
        struct progress *p = xcalloc(1, sizeof(*p));
        p->out = out;
        p->title = xstrdup(title);
        pthread_mutex_init(&p->mu, NULL);
        if (!mode_name || !strcmp(mode_name, "auto"))
                p->mode = isatty(fileno(out)) ? PROGRESS_TTY : PROGRESS_PLAIN;
        else if (!strcmp(mode_name, "tty"))
                p->mode = PROGRESS_TTY;
        else if (!strcmp(mode_name, "quiet"))
                p->mode = PROGRESS_QUIET;
        else
                p->mode = PROGRESS_PLAIN;
        if (p->mode == PROGRESS_TTY && pthread_create(&p->ticker, NULL, ticker_main, p) == 0)
                p->has_ticker = true;
        return p;
}

size_t progress_add(struct progress *p, const char *kind, const char *name)
{
        pthread_mutex_lock(&p->mu);
        if (p->n == p->cap) {
                p->cap = p->cap ? p->cap * 2 : 16;
                p->lines = xrealloc(p->lines, p->cap * sizeof(*p->lines));
        }
        size_t id = p->n++;
        p->lines[id] = (struct pline){.kind = xstrdup(kind), .name = xstrdup(name)};
        pthread_mutex_unlock(&p->mu);
        return id;
}

void progress_set(struct progress *p, size_t id, enum progress_state st, const char *text)
{
        pthread_mutex_lock(&p->mu);
        if (id < p->n) {
                struct pline *l = &p->lines[id];
                if (l->start == 0 && st != PROGRESS_WAITING)
                        l->start = now_s();
                if (st == PROGRESS_DONE || st == PROGRESS_ERROR)
                        l->end = now_s();
                l->st = st;
                free(l->text);
                l->text = xstrdup(text);
                if (p->mode == PROGRESS_PLAIN) {
                        fprintf(p->out, " %s %s  %s\n", l->kind, l->name, text);
                        fflush(p->out);
                } else if (p->mode == PROGRESS_TTY) {
                        redraw(p);
                }
        }
        pthread_mutex_unlock(&p->mu);
}

void progress_end(struct progress *p)
{
        if (!p)
                return;
        pthread_mutex_lock(&p->mu);
        p->stop = true;
        pthread_mutex_unlock(&p->mu);
        if (p->has_ticker)
                pthread_join(p->ticker, NULL);
        if (p->mode == PROGRESS_TTY && p->n)
                redraw(p);
        for (size_t i = 0; i < p->n; i++) {
                free(p->lines[i].kind);
                free(p->lines[i].name);
                free(p->lines[i].text);
        }
        free(p->lines);
        free(p->title);
        pthread_mutex_destroy(&p->mu);
        free(p);
}

bool progress_finish(struct progress *p, size_t id, int r, const char *errmsg,
                     const char *done_text)
{
        if (r >= 0) {
                progress_set(p, id, PROGRESS_DONE, done_text);
                return false;
        }
        progress_set(p, id, PROGRESS_ERROR, "Error");
        fprintf(stderr, "%s\n", errmsg);
        return true;
}
