/* berth logs [-f] [--tail N] [-t] [--since T] [--until T] CONTAINER */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/jsonfile.h"
#include "base/strbuf.h"
#include "base/strv.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "cli.h"
#include "commands.h"
#include "container_cli.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"

struct logs_opts {
        bool follow, timestamps;
        long tail; /* -1 = all */
        int64_t since_ns;
        int64_t until_ns; /* 0: none */
};

static void emit(const char *line, const struct logs_opts *o)
{
        json_error_t je;
        json_t *j = json_loads(line, 0, &je);
        if (!j)
                return;
        const char *stream = json_string_value(json_object_get(j, "stream")) ?: "stdout";
        const char *time = json_string_value(json_object_get(j, "time")) ?: "";
        json_t *lj = json_object_get(j, "log");
        int64_t at = time_parse_rfc3339_ns(time);
        if ((o->since_ns && at < o->since_ns) || (o->until_ns && at > o->until_ns)) {
                json_decref(j);
                return;
        }
        FILE *f = !strcmp(stream, "stderr") ? stderr : stdout;
        if (o->timestamps)
                fprintf(f, "%s ", time);
        fwrite(json_string_value(lj), 1, json_string_length(lj), f);
        fflush(f);
        json_decref(j);
}

static void read_lines(const char *path, strv_t *lines)
{
        _cleanup_free_ char *buf = NULL;
        if (read_file_at(AT_FDCWD, path, 1u << 30, &buf, NULL, NULL) < 0)
                return;
        for (char *sv = NULL, *l = strtok_r(buf, "\n", &sv); l; l = strtok_r(NULL, "\n", &sv))
                strv_push(lines, l);
}

int cmd_logs(int argc, char **argv)
{
        struct logs_opts o = {.tail = -1};
        const char *tail = "all";
        struct cli_time since = {0}, until = {0};
        const struct cli_opt opts[] = {
            CLI_LOGS_OPTS(&o.follow, &since, &tail, &o.timestamps, &until), {0}};
        CLI_PARSE_OR_RETURN(first, argc, argv, "logs", "[OPTIONS] CONTAINER",
                            "Fetch the logs of a container", opts, CLI_EXACTLY(1));
        o.tail = strcmp(tail, "all") ? atol(tail) : -1;
        o.since_ns = since.ns;
        o.until_ns = until.set && !until.ns ? 1 : until.ns; /* before the epoch: nothing */
        _cleanup_free_ char *id = NULL;
        json_t *j = NULL;
        if (container_get_said(argv[first], &id, &j) < 0)
                return EXIT_BERTH;
        _cleanup_free_ char *path = xstrdup(rt_doc_log_path(j) ?: "");
        json_decref(j);
        _cleanup_free_ char *old = xasprintf("%s.1", path);
        /* the watch first, so nothing written after the read is missed */
        _cleanup_close_ int in = o.follow ? rt_ctr_watch(id, RT_WATCH_LOG) : -1;
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        strv_t lines = STRV_INIT;
        read_lines(old, &lines);
        off_t pos = 0;
        if (fd >= 0) {
                _cleanup_free_ char *buf = NULL;
                size_t len = 0;
                if (read_fd_all(fd, 1u << 30, &buf, &len, NULL) == 0) {
                        /* only complete lines; a partial one is read again when followed */
                        char *last = strrchr(buf, '\n');
                        pos = last ? (off_t)(last - buf + 1) : 0;
                        if (last)
                                last[1] = '\0';
                        for (char *sv = NULL, *l = strtok_r(last ? buf : (char[]){0}, "\n", &sv); l;
                             l = strtok_r(NULL, "\n", &sv))
                                strv_push(&lines, l);
                }
        }
        size_t start = o.tail >= 0 && (size_t)o.tail < lines.n ? lines.n - (size_t)o.tail : 0;
        for (size_t i = start; i < lines.n; i++)
                emit(lines.v[i], &o);
        strv_free(&lines);
        if (!o.follow)
                return 0;
        strbuf_t pending = STRBUF_INIT;
        for (;;) {
                bool alive = rt_ctr_monitor_alive(id, NULL);
                if (fd < 0)
                        fd = open(path, O_RDONLY | O_CLOEXEC);
                struct stat a, b;
                if (fd >= 0 && stat(path, &a) == 0 && fstat(fd, &b) == 0 && a.st_ino != b.st_ino) {
                        /* rotated: finish the old file, continue with the new one */
                        close(fd);
                        fd = open(path, O_RDONLY | O_CLOEXEC);
                        pos = 0;
                }
                char buf[65536];
                ssize_t n;
                while (fd >= 0 && (n = pread(fd, buf, sizeof(buf), pos)) > 0) {
                        pos += n;
                        sb_appendn(&pending, buf, (size_t)n);
                        char *nl;
                        while (pending.s && (nl = strchr(pending.s, '\n'))) {
                                *nl = '\0';
                                emit(pending.s, &o);
                                size_t rest = pending.len - (size_t)(nl + 1 - pending.s);
                                memmove(pending.s, nl + 1, rest + 1);
                                pending.len = rest;
                        }
                }
                if (!alive || (o.until_ns && time_now_ns() > o.until_ns))
                        break;
                rt_watch_wait(in, 0.5);
        }
        sb_free(&pending);
        return 0;
}
