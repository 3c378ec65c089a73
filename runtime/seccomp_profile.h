/* seccomp_profile.h - Docker's seccomp profile JSON as a typed struct.
 *
 * The format of `docker run --security-opt seccomp=FILE` (and of the OCI
 * runtime spec's linux.seccomp): defaultAction, defaultErrnoRet,
 * architectures or archMap, flags, syscalls[] with name/names, action,
 * errnoRet, args[] (index, value, valueTwo, op), includes/excludes (caps,
 * arches, minKernel).  Parsing only checks and types the document; turning it
 * into a filter for a given container (its capabilities, the running kernel
 * and architecture) is rt_seccomp_load() in security.c.  Unknown keys, wrong
 * types and unknown action, operator or architecture names are errors naming
 * the file and the JSON path: a profile is never half-applied. */
#ifndef BERTH_RT_SECCOMP_PROFILE_H
#define BERTH_RT_SECCOMP_PROFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "strv.h"

/* Largest profile file read (Docker's default profile is ~20 KiB). */
#define RT_SECCOMP_PROFILE_MAX (1 << 20)

enum rt_scmp_action {
        RT_SCMP_KILL_THREAD, /* SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD */
        RT_SCMP_KILL_PROCESS,
        RT_SCMP_TRAP,
        RT_SCMP_ERRNO,
        RT_SCMP_TRACE,
        RT_SCMP_ALLOW,
        RT_SCMP_LOG,
};

enum rt_scmp_op {
        RT_SCMP_NE,
        RT_SCMP_LT,
        RT_SCMP_LE,
        RT_SCMP_EQ,
        RT_SCMP_GE,
        RT_SCMP_GT,
        RT_SCMP_MASKED_EQ,
};

struct rt_scmp_arg {
        unsigned index; /* 0..5 */
        uint64_t value, value_two;
        enum rt_scmp_op op;
};

/* includes / excludes of a rule */
struct rt_scmp_filter {
        strv_t caps;   /* "CAP_SYS_ADMIN" */
        strv_t arches; /* Go names as Docker compares them: "amd64", "arm64" */
        bool has_min_kernel;
        unsigned min_major, min_minor;
};

struct rt_scmp_rule {
        strv_t names;
        enum rt_scmp_action action;
        int errno_ret; /* -1: not given (EPERM for ERRNO/TRACE) */
        struct rt_scmp_arg *args;
        size_t nargs;
        struct rt_scmp_filter includes, excludes;
};

struct rt_scmp_archmap {
        char *arch; /* "SCMP_ARCH_X86_64" */
        strv_t sub;
};

#define RT_SCMP_FLAG_LOG        1u /* SECCOMP_FILTER_FLAG_LOG */
#define RT_SCMP_FLAG_SPEC_ALLOW 2u /* SECCOMP_FILTER_FLAG_SPEC_ALLOW */
#define RT_SCMP_FLAG_TSYNC      4u /* SECCOMP_FILTER_FLAG_TSYNC */

struct rt_seccomp_profile {
        enum rt_scmp_action default_action;
        int default_errno; /* -1: not given */
        strv_t arches;     /* "SCMP_ARCH_X86_64" ... */
        struct rt_scmp_archmap *archmap;
        size_t narchmap;
        unsigned flags;
        struct rt_scmp_rule *rules;
        size_t nrules;
};

/* Parse a profile (len bytes, NUL not needed).  name is the file name used in
 * messages ("profile.json: syscalls[2].args[0].op: unknown operator ...").
 * On failure *p is left empty. */
int rt_seccomp_profile_parse(const char *text, size_t len, const char *name,
                             struct rt_seccomp_profile *p, err_t *err);

/* Read and parse a profile file: a regular file of at most
 * RT_SECCOMP_PROFILE_MAX bytes (a FIFO or device is refused, never waited
 * on). */
int rt_seccomp_profile_read(const char *path, struct rt_seccomp_profile *p, err_t *err);

/* The profile in the same format, every field explicit: parsing the result
 * gives the same profile. */
json_t *rt_seccomp_profile_json(const struct rt_seccomp_profile *p);

void rt_seccomp_profile_free(struct rt_seccomp_profile *p);

/* Names as they appear in profiles. */
const char *rt_scmp_action_name(enum rt_scmp_action a);

#endif
