/* Unit tests for base/events: the journal line, Docker's text form and
 * filters, rotation at the size limit, concurrent writers that never tear a
 * line, and following the journal across a rotation. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/events.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "tap.h"

static char root[64];

static json_t *ev_of(const char *line)
{
        json_t *ev = NULL;
        if (events_parse_line(line, strlen(line), &ev) < 0)
                return NULL;
        return ev;
}

static void test_parse_and_text(void)
{
        json_t *ev = ev_of("{\"status\":\"die\",\"id\":\"abc\",\"from\":\"busybox\","
                           "\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"abc\","
                           "\"Attributes\":{\"name\":\"web\",\"image\":\"busybox\","
                           "\"exitCode\":\"3\"}},\"scope\":\"local\",\"time\":1,"
                           "\"timeNano\":1000000005}");
        ok(ev != NULL, "a journal line parses");
        setenv("TZ", "UTC", 1);
        strbuf_t sb = STRBUF_INIT;
        events_format_text(ev, &sb);
        is_str(sb_str(&sb),
               "1970-01-01T00:00:01.000000005Z container die abc (exitCode=3, image=busybox, "
               "name=web)\n",
               "docker's text line: local time, nine digits, sorted attributes");
        sb_free(&sb);
        json_t *dot = events_template_dot(ev);
        ok(!strcmp(json_string_value(json_object_get(dot, "Status")), "die") &&
               json_integer_value(json_object_get(dot, "TimeNano")) == 1000000005 &&
               json_object_get(dot, "Actor") != NULL,
           "the template sees Go's field names");
        json_decref(dot);
        json_decref(ev);

        static const char *const bad[] = {
            "",
            "{",
            "[]",
            "{\"Type\":\"container\",\"Action\":\"x\",\"Actor\":{\"ID\":\"a\"}}",
            "{\"Type\":1,\"Action\":\"x\",\"Actor\":{\"ID\":\"a\"},\"timeNano\":1}",
            ("{\"Type\":\"c\",\"Action\":\"x\",\"Actor\":{\"ID\":\"a\",\"Attributes\":{\"k\":1}},"
             "\"timeNano\":1}"),
            "{\"Type\":\"c\",\"Action\":\"x\",\"Actor\":[],\"timeNano\":1}",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                json_t *b = ev_of(bad[i]);
                ok(b == NULL, "not an event: %s", bad[i]);
                json_decref(b);
        }
}

static bool matches(const char *const *filters, const char *line)
{
        struct events_filter f = {0};
        err_t err;
        for (size_t i = 0; filters[i]; i++)
                if (events_filter_add(&f, filters[i], &err) < 0)
                        abort();
        json_t *ev = ev_of(line);
        bool r = ev && events_filter_match(&f, ev);
        json_decref(ev);
        events_filter_free(&f);
        return r;
}

#define CTR                                                                                        \
        "{\"Type\":\"container\",\"Action\":\"health_status: healthy\",\"Actor\":{\"ID\":"         \
        "\"0123abcd\",\"Attributes\":{\"name\":\"web\",\"image\":\"reg/app:1\",\"tier\":"          \
        "\"front\"}},\"scope\":\"local\",\"timeNano\":1}"
#define IMG                                                                                        \
        "{\"Type\":\"image\",\"Action\":\"tag\",\"Actor\":{\"ID\":\"sha256:ff\",\"Attributes\":{"  \
        "\"name\":\"reg/app:2\"}},\"scope\":\"local\",\"timeNano\":1}"

static void test_filters(void)
{
        err_t err;
        struct events_filter f = {0};
        ok(events_filter_add(&f, "nope=1", &err) < 0 && strstr(err.msg, "invalid filter 'nope'"),
           "an unknown key: %s", err.msg);
        ok(events_filter_add(&f, "container", &err) < 0 && strstr(err.msg, "name=value"),
           "no '=': %s", err.msg);
        events_filter_free(&f);

        ok(matches((const char *[]){NULL}, CTR), "no filter matches everything");
        ok(matches((const char *[]){"container=web", NULL}, CTR), "container by name");
        ok(matches((const char *[]){"container=0123", NULL}, CTR), "container by id prefix");
        ok(!matches((const char *[]){"container=db", NULL}, CTR), "another container");
        ok(!matches((const char *[]){"container=web", NULL}, IMG), "container= leaves out images");
        ok(matches((const char *[]){"container=db", "container=web", NULL}, CTR),
           "values of one key: any");
        ok(!matches((const char *[]){"container=web", "type=image", NULL}, CTR),
           "different keys: all");
        ok(matches((const char *[]){"event=health_status", NULL}, CTR),
           "health_status matches its 'health_status: X' forms");
        ok(!matches((const char *[]){"event=health", NULL}, CTR), "other events match exactly");
        ok(matches((const char *[]){"image=reg/app", NULL}, CTR), "a container's image, untagged");
        ok(matches((const char *[]){"image=reg/app:1", NULL}, CTR), "a container's image");
        ok(matches((const char *[]){"image=reg/app:2", NULL}, IMG), "an image event's name");
        ok(matches((const char *[]){"image=sha256:ff", NULL}, IMG), "an image event's id");
        ok(matches((const char *[]){"label=tier", NULL}, CTR), "label by key");
        ok(matches((const char *[]){"label=tier=front", NULL}, CTR), "label by key=value");
        ok(!matches((const char *[]){"label=tier=back", NULL}, CTR), "label with another value");
        ok(!matches((const char *[]){"label=tier", "label=x", NULL}, CTR), "labels: all of them");
        ok(!matches((const char *[]){"scope=swarm", NULL}, CTR), "scope");
        ok(!matches((const char *[]){"network=n", NULL}, CTR), "network= leaves out containers");
}

static size_t count_lines(const char *path, bool *all_parse)
{
        char *buf = NULL;
        size_t len = 0, n = 0;
        if (read_file(path, &buf, &len, NULL) < 0)
                return 0;
        for (char *sv = NULL, *l = strtok_r(buf, "\n", &sv); l; l = strtok_r(NULL, "\n", &sv)) {
                json_t *ev = ev_of(l);
                if (!ev)
                        *all_parse = false;
                json_decref(ev);
                n++;
        }
        free(buf);
        return n;
}

static void test_journal(void)
{
        char *j0 = xasprintf("%s/lib/events/journal", root);
        char *j1 = xasprintf("%s/lib/events/journal.1", root);
        struct events_tail *t = NULL;
        err_t err;
        ok(events_tail_open(&t, false, &err) == 0, "follow an empty journal");
        json_t *ev = NULL;
        ok(events_tail_next(t, 0, &ev, &err) == 0, "nothing yet");

        events_logv("container", "start", "c1", "name", "one", NULL);
        ok(events_tail_next(t, 1000, &ev, &err) == 1 &&
               !strcmp(json_string_value(json_object_get(ev, "Action")), "start"),
           "a new event is seen");
        json_decref(ev);

        /* rotation: the journal never passes its limit, journal.1 holds the one before */
        events_set_max(4096);
        for (int i = 0; i < 200; i++)
                events_logv("volume", "create", "v", "i", "x", NULL);
        struct stat a = {0}, b = {0};
        int sa = stat(j0, &a), sb = stat(j1, &b);
        ok(sa == 0 && sb == 0 && a.st_size <= 4096 && b.st_size <= 4096 && b.st_size > 2048,
           "rotated at the limit (%lld, %lld bytes)", (long long)a.st_size, (long long)b.st_size);
        int seen = 0;
        while (events_tail_next(t, 0, &ev, &err) == 1) {
                seen++;
                json_decref(ev);
        }
        ok(seen > 0, "the follower goes on across rotations (%d seen)", seen);
        events_tail_close(t);

        /* concurrent writers: every line whole */
        events_set_max(0);
        unlink(j0);
        unlink(j1);
        for (int p = 0; p < 4; p++) {
                if (fork() == 0) {
                        char big[1000];
                        memset(big, 'a' + p, sizeof(big) - 1);
                        big[sizeof(big) - 1] = '\0';
                        for (int i = 0; i < 100; i++)
                                events_logv("container", "exec_start", "c", "cmd", big, NULL);
                        _exit(0);
                }
        }
        int st;
        while (wait(&st) > 0)
                ;
        bool whole = true;
        ok(count_lines(j0, &whole) == 400 && whole, "400 events from 4 writers, none torn");

        ok(events_tail_open(&t, true, &err) == 0, "replay from the start");
        seen = 0;
        while (events_tail_next(t, 0, &ev, &err) == 1) {
                seen++;
                json_decref(ev);
        }
        ok(seen == 400, "every kept event is replayed (%d)", seen);
        events_tail_close(t);

        /* a journal that cannot be written loses the event, nothing else */
        char *dir = xasprintf("%s/lib/events", root);
        char *cmd = xasprintf("rm -rf %s && touch %s", dir, dir);
        ok(system(cmd) == 0, "the events dir is a file");
        events_logv("container", "start", "c1", NULL);
        ok(1, "recording into an unwritable journal returns");
        free(cmd);
        free(dir);
        free(j0);
        free(j1);
}

int main(void)
{
        snprintf(root, sizeof(root), "/tmp/berth-events-test.XXXXXX");
        if (!mkdtemp(root))
                return 1;
        setenv("BERTH_ROOT", root, 1);
        char *lib = xasprintf("%s/lib", root);
        mkdir(lib, 0700);
        free(lib);
        test_parse_and_text();
        test_filters();
        test_journal();
        char *cmd = xasprintf("rm -rf %s", root);
        if (system(cmd) != 0)
                return 1;
        free(cmd);
        return tap_done();
}
