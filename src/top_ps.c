/* top_ps.c - the process table Docker's top prints by default (the engine
 * runs `ps -ef` there): UID PID PPID C STIME TTY TIME CMD for the processes
 * of a container's cgroup, read from /proc as ps reads it (no ps is run). */
#include "top_ps.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "runtime/cgroup.h"

static long long boot_time(void)
{
        _cleanup_free_ char *s = NULL;
        if (read_file("/proc/stat", &s, NULL, NULL) < 0)
                return 0;
        const char *b = strstr(s, "\nbtime ");
        return b ? atoll(b + 7) : 0;
}

/* ps's TTY column from /proc/PID/stat's tty_nr */
static void tty_name(unsigned long nr, char *buf, size_t len)
{
        unsigned major = (nr >> 8) & 0xfff, minor = (nr & 0xff) | ((nr >> 12) & 0xfff00);
        if (!nr)
                snprintf(buf, len, "?");
        else if (major >= 136 && major <= 143)
                snprintf(buf, len, "pts/%u", minor + (major - 136) * 256);
        else if (major == 4 && minor < 64)
                snprintf(buf, len, "tty%u", minor);
        else if (major == 4)
                snprintf(buf, len, "ttyS%u", minor - 64);
        else
                snprintf(buf, len, "?");
}

/* ps's STIME: the hour today, the day this year, else the year */
static void start_time(time_t t, time_t now, char *buf, size_t len)
{
        struct tm tm, tn;
        localtime_r(&t, &tm);
        localtime_r(&now, &tn);
        size_t n;
        if (tm.tm_year != tn.tm_year)
                n = strftime(buf, len, "%Y", &tm);
        else if (tm.tm_yday != tn.tm_yday)
                n = strftime(buf, len, "%b%d", &tm);
        else
                n = strftime(buf, len, "%H:%M", &tm);
        if (!n)
                snprintf(buf, len, "?");
}

/* One row for process pid, tab-separated; NULL when it is gone. */
static char *ps_row(const char *pid, long hz, long long btime, time_t now)
{
        _cleanup_free_ char *stat = NULL, *status = NULL, *cmdline = NULL;
        _cleanup_free_ char *p1 = xasprintf("/proc/%s/stat", pid);
        _cleanup_free_ char *p2 = xasprintf("/proc/%s/status", pid);
        _cleanup_free_ char *p3 = xasprintf("/proc/%s/cmdline", pid);
        size_t clen = 0;
        if (read_file(p1, &stat, NULL, NULL) < 0 || read_file(p2, &status, NULL, NULL) < 0 ||
            read_file(p3, &cmdline, &clen, NULL) < 0)
                return NULL;
        /* pid (comm) state ppid pgrp session tty_nr ... utime stime ... starttime */
        char *open = strchr(stat, '('), *close = strrchr(stat, ')');
        if (!open || !close || close < open)
                return NULL;
        *close = '\0';
        const char *comm = open + 1;
        int ppid = 0;
        unsigned long tty = 0;
        unsigned long long ut = 0, st = 0, start = 0;
        if (sscanf(close + 2,
                   "%*c %d %*d %*d %lu %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d "
                   "%*d %llu",
                   &ppid, &tty, &ut, &st, &start) != 5)
                return NULL;
        /* the effective user, named as on the host (where docker's ps runs) */
        const char *u = strstr(status, "\nUid:");
        unsigned euid = 0;
        if (u)
                sscanf(u + 5, "%*u %u", &euid);
        char user[64];
        struct passwd pw, *res = NULL;
        char pwbuf[1024];
        if (getpwuid_r(euid, &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res)
                snprintf(user, sizeof(user), "%s", pw.pw_name);
        else
                snprintf(user, sizeof(user), "%u", euid);
        long long cpu_s = (long long)((ut + st) / (unsigned long long)hz);
        long long started = btime + (long long)(start / (unsigned long long)hz);
        long long elapsed = (long long)now - started;
        /* C: CPU time over run time, in percent, at most 99 (as ps) */
        long long c =
            elapsed > 0 ? (long long)((ut + st) * 100 / (unsigned long long)hz) / elapsed : 0;
        if (c > 99)
                c = 99;
        char stime[32], ttys[32], cputime[32];
        start_time((time_t)started, now, stime, sizeof(stime));
        tty_name(tty, ttys, sizeof(ttys));
        if (cpu_s >= 86400)
                snprintf(cputime, sizeof(cputime), "%lld-%02lld:%02lld:%02lld", cpu_s / 86400,
                         cpu_s / 3600 % 24, cpu_s / 60 % 60, cpu_s % 60);
        else
                snprintf(cputime, sizeof(cputime), "%02lld:%02lld:%02lld", cpu_s / 3600,
                         cpu_s / 60 % 60, cpu_s % 60);
        for (size_t i = 0; i + 1 < clen; i++)
                if (!cmdline[i])
                        cmdline[i] = ' ';
        _cleanup_free_ char *cmd = clen ? xstrdup(cmdline) : xasprintf("[%s]", comm);
        for (char *q = cmd; *q; q++)
                if (*q == '\t' || *q == '\n')
                        *q = ' ';
        return xasprintf("%s\t%s\t%d\t%lld\t%s\t%s\t%s\t%s", user, pid, ppid, c, stime, ttys,
                         cputime, cmd);
}

int top_ps(const char *id, strv_t *rows, err_t *err)
{
        _cleanup_free_ char *cg = rt_cgroup_path(id, "pids");
        if (!cg)
                cg = rt_cgroup_path(id, "memory");
        _cleanup_free_ char *procs_path = xasprintf("%s/cgroup.procs", cg ? cg : "/nonexistent");
        _cleanup_free_ char *procs = NULL;
        if (read_file(procs_path, &procs, NULL, err) < 0)
                return -1;
        long hz = sysconf(_SC_CLK_TCK);
        if (hz <= 0)
                hz = 100;
        long long btime = boot_time();
        time_t now = time(NULL);
        for (char *sv = NULL, *t = strtok_r(procs, "\n", &sv); t; t = strtok_r(NULL, "\n", &sv)) {
                char *row = ps_row(t, hz, btime, now);
                if (row) {
                        strv_push(rows, row);
                        free(row);
                }
        }
        return 0;
}
