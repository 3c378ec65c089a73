/* libFuzzer target: include resolution.  The input is the main compose
 * file (read as stdin, "-"); its project directory holds fixed files it may
 * include: a.yaml includes b.yaml twice, b.yaml includes c.yaml twice, c.yaml
 * includes the main directory's self.yaml (which includes a.yaml: a cycle),
 * with .env files on the way.  Budgets (includes in total, interpolated
 * bytes) must keep every input finite. */
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "fuzz_tmp.h"
#include "loader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[PATH_MAX];

static void put(const char *name, const char *text)
{
        char path[PATH_MAX + 16];
        int fd;

        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
                abort();
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                abort();
        if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
                abort();
        close(fd);
}

static void cleanup(void)
{
        err_t err;

        rm_rf(dir, &err);
}

static void setup(void)
{
        fuzz_mkdtemp(dir, sizeof(dir), "berth-fuzz-include");
        atexit(cleanup);
        put("a.yaml", "include: [b.yaml, b.yaml]\nservices:\n  a: {image: \"a:${TAG:-1}\"}\n");
        put("b.yaml", "include:\n  - path: c.yaml\n    env_file: b.env\n  - c.yaml\n");
        put("b.env", "TAG=${TAG:-b}${TAG:-b}\nX=${TAG}${TAG}\n");
        put("c.yaml", "include: [self.yaml]\nvolumes: {data: {}}\n");
        put("self.yaml", "include: [a.yaml]\n");
        put(".env", "TAG=dot\nLONG=${TAG}${TAG}${TAG}${TAG}\n");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *const files[] = {"-"};
        static char *envv[] = {"PATH=/bin", NULL};
        struct compose_source s = {0};
        char *text;
        err_t err;

        if (!dir[0])
                setup();
        text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        struct compose_load_opts o = {
            .files = files,
            .nfiles = 1,
            .stdin_text = text,
            .project_name = "fuzz",
            .project_dir = dir,
            .environ = envv,
            .cwd = dir,
        };
        if (compose_load(&o, &s, &err) == 0)
                compose_source_free(&s);
        free(text);
        return 0;
}
