/* archive_lazy.c - the libarchive functions berth calls, forwarded to
 * libarchive.so.13 loaded with dlopen() on first use.  Linked, libarchive and
 * its dependencies (libxml2, ICU, libstdc++, ...) cost every berth command
 * ~1.5 ms of start-up; only image import, export, pull, push, load, save,
 * build and cp read or write archives. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "dlsyms.h"

#define LIBARCHIVE "libarchive.so.13"

static struct {
        time_t (*archive_entry_atime)(struct archive_entry *);
        int (*archive_entry_atime_is_set)(struct archive_entry *);
        long (*archive_entry_atime_nsec)(struct archive_entry *);
        struct archive_entry *(*archive_entry_clone)(struct archive_entry *);
        void (*archive_entry_copy_stat)(struct archive_entry *, const struct stat *);
        __LA_MODE_T (*archive_entry_filetype)(struct archive_entry *);
        void (*archive_entry_free)(struct archive_entry *);
        la_int64_t (*archive_entry_gid)(struct archive_entry *);
        const char *(*archive_entry_hardlink)(struct archive_entry *);
        __LA_MODE_T (*archive_entry_mode)(struct archive_entry *);
        time_t (*archive_entry_mtime)(struct archive_entry *);
        long (*archive_entry_mtime_nsec)(struct archive_entry *);
        struct archive_entry *(*archive_entry_new)(void);
        const char *(*archive_entry_pathname)(struct archive_entry *);
        __LA_MODE_T (*archive_entry_perm)(struct archive_entry *);
        dev_t (*archive_entry_rdev)(struct archive_entry *);
        void (*archive_entry_set_filetype)(struct archive_entry *, unsigned int);
        void (*archive_entry_set_gid)(struct archive_entry *, la_int64_t);
        void (*archive_entry_set_gname)(struct archive_entry *, const char *);
        void (*archive_entry_set_hardlink)(struct archive_entry *, const char *);
        void (*archive_entry_set_mtime)(struct archive_entry *, time_t, long);
        void (*archive_entry_set_pathname)(struct archive_entry *, const char *);
        void (*archive_entry_set_perm)(struct archive_entry *, __LA_MODE_T);
        void (*archive_entry_set_size)(struct archive_entry *, la_int64_t);
        void (*archive_entry_set_symlink)(struct archive_entry *, const char *);
        void (*archive_entry_set_uid)(struct archive_entry *, la_int64_t);
        void (*archive_entry_set_uname)(struct archive_entry *, const char *);
        la_int64_t (*archive_entry_size)(struct archive_entry *);
        int (*archive_entry_size_is_set)(struct archive_entry *);
        const char *(*archive_entry_symlink)(struct archive_entry *);
        la_int64_t (*archive_entry_uid)(struct archive_entry *);
        void (*archive_entry_xattr_clear)(struct archive_entry *);
        int (*archive_entry_xattr_next)(struct archive_entry *, const char **, const void **,
                                        size_t *);
        int (*archive_entry_xattr_reset)(struct archive_entry *);
        int (*archive_errno)(struct archive *);
        const char *(*archive_error_string)(struct archive *);
        la_int64_t (*archive_filter_bytes)(struct archive *, int);
        int (*archive_read_data_block)(struct archive *, const void **, size_t *, la_int64_t *);
        int (*archive_read_free)(struct archive *);
        struct archive *(*archive_read_new)(void);
        int (*archive_read_next_header)(struct archive *, struct archive_entry **);
        int (*archive_read_open)(struct archive *, void *, archive_open_callback *,
                                 archive_read_callback *, archive_close_callback *);
        int (*archive_read_open_fd)(struct archive *, int, size_t);
        int (*archive_read_open_memory)(struct archive *, const void *, size_t);
        int (*archive_read_support_filter_all)(struct archive *);
        int (*archive_read_support_filter_gzip)(struct archive *);
        int (*archive_read_support_filter_zstd)(struct archive *);
        int (*archive_read_support_format_empty)(struct archive *);
        int (*archive_read_support_format_gnutar)(struct archive *);
        int (*archive_read_support_format_raw)(struct archive *);
        int (*archive_read_support_format_tar)(struct archive *);
        int (*archive_write_add_filter_gzip)(struct archive *);
        int (*archive_write_close)(struct archive *);
        la_ssize_t (*archive_write_data)(struct archive *, const void *, size_t);
        int (*archive_write_free)(struct archive *);
        int (*archive_write_header)(struct archive *, struct archive_entry *);
        struct archive *(*archive_write_new)(void);
        int (*archive_write_open2)(struct archive *, void *, archive_open_callback *,
                                   archive_write_callback *, archive_close_callback *,
                                   archive_free_callback *);
        int (*archive_write_open_fd)(struct archive *, int);
        int (*archive_write_set_bytes_in_last_block)(struct archive *, int);
        int (*archive_write_set_bytes_per_block)(struct archive *, int);
        int (*archive_write_set_filter_option)(struct archive *, const char *, const char *,
                                               const char *);
        int (*archive_write_set_format_pax_restricted)(struct archive *);
        int (*archive_write_set_format_raw)(struct archive *);
} fn;

static const struct dl_sym syms[] = {
    {"archive_entry_atime", (void **)&fn.archive_entry_atime},
    {"archive_entry_atime_is_set", (void **)&fn.archive_entry_atime_is_set},
    {"archive_entry_atime_nsec", (void **)&fn.archive_entry_atime_nsec},
    {"archive_entry_clone", (void **)&fn.archive_entry_clone},
    {"archive_entry_copy_stat", (void **)&fn.archive_entry_copy_stat},
    {"archive_entry_filetype", (void **)&fn.archive_entry_filetype},
    {"archive_entry_free", (void **)&fn.archive_entry_free},
    {"archive_entry_gid", (void **)&fn.archive_entry_gid},
    {"archive_entry_hardlink", (void **)&fn.archive_entry_hardlink},
    {"archive_entry_mode", (void **)&fn.archive_entry_mode},
    {"archive_entry_mtime", (void **)&fn.archive_entry_mtime},
    {"archive_entry_mtime_nsec", (void **)&fn.archive_entry_mtime_nsec},
    {"archive_entry_new", (void **)&fn.archive_entry_new},
    {"archive_entry_pathname", (void **)&fn.archive_entry_pathname},
    {"archive_entry_perm", (void **)&fn.archive_entry_perm},
    {"archive_entry_rdev", (void **)&fn.archive_entry_rdev},
    {"archive_entry_set_filetype", (void **)&fn.archive_entry_set_filetype},
    {"archive_entry_set_gid", (void **)&fn.archive_entry_set_gid},
    {"archive_entry_set_gname", (void **)&fn.archive_entry_set_gname},
    {"archive_entry_set_hardlink", (void **)&fn.archive_entry_set_hardlink},
    {"archive_entry_set_mtime", (void **)&fn.archive_entry_set_mtime},
    {"archive_entry_set_pathname", (void **)&fn.archive_entry_set_pathname},
    {"archive_entry_set_perm", (void **)&fn.archive_entry_set_perm},
    {"archive_entry_set_size", (void **)&fn.archive_entry_set_size},
    {"archive_entry_set_symlink", (void **)&fn.archive_entry_set_symlink},
    {"archive_entry_set_uid", (void **)&fn.archive_entry_set_uid},
    {"archive_entry_set_uname", (void **)&fn.archive_entry_set_uname},
    {"archive_entry_size", (void **)&fn.archive_entry_size},
    {"archive_entry_size_is_set", (void **)&fn.archive_entry_size_is_set},
    {"archive_entry_symlink", (void **)&fn.archive_entry_symlink},
    {"archive_entry_uid", (void **)&fn.archive_entry_uid},
    {"archive_entry_xattr_clear", (void **)&fn.archive_entry_xattr_clear},
    {"archive_entry_xattr_next", (void **)&fn.archive_entry_xattr_next},
    {"archive_entry_xattr_reset", (void **)&fn.archive_entry_xattr_reset},
    {"archive_errno", (void **)&fn.archive_errno},
    {"archive_error_string", (void **)&fn.archive_error_string},
    {"archive_filter_bytes", (void **)&fn.archive_filter_bytes},
    {"archive_read_data_block", (void **)&fn.archive_read_data_block},
    {"archive_read_free", (void **)&fn.archive_read_free},
    {"archive_read_new", (void **)&fn.archive_read_new},
    {"archive_read_next_header", (void **)&fn.archive_read_next_header},
    {"archive_read_open", (void **)&fn.archive_read_open},
    {"archive_read_open_fd", (void **)&fn.archive_read_open_fd},
    {"archive_read_open_memory", (void **)&fn.archive_read_open_memory},
    {"archive_read_support_filter_all", (void **)&fn.archive_read_support_filter_all},
    {"archive_read_support_filter_gzip", (void **)&fn.archive_read_support_filter_gzip},
    {"archive_read_support_filter_zstd", (void **)&fn.archive_read_support_filter_zstd},
    {"archive_read_support_format_empty", (void **)&fn.archive_read_support_format_empty},
    {"archive_read_support_format_gnutar", (void **)&fn.archive_read_support_format_gnutar},
    {"archive_read_support_format_raw", (void **)&fn.archive_read_support_format_raw},
    {"archive_read_support_format_tar", (void **)&fn.archive_read_support_format_tar},
    {"archive_write_add_filter_gzip", (void **)&fn.archive_write_add_filter_gzip},
    {"archive_write_close", (void **)&fn.archive_write_close},
    {"archive_write_data", (void **)&fn.archive_write_data},
    {"archive_write_free", (void **)&fn.archive_write_free},
    {"archive_write_header", (void **)&fn.archive_write_header},
    {"archive_write_new", (void **)&fn.archive_write_new},
    {"archive_write_open2", (void **)&fn.archive_write_open2},
    {"archive_write_open_fd", (void **)&fn.archive_write_open_fd},
    {"archive_write_set_bytes_in_last_block", (void **)&fn.archive_write_set_bytes_in_last_block},
    {"archive_write_set_bytes_per_block", (void **)&fn.archive_write_set_bytes_per_block},
    {"archive_write_set_filter_option", (void **)&fn.archive_write_set_filter_option},
    {"archive_write_set_format_pax_restricted",
     (void **)&fn.archive_write_set_format_pax_restricted},
    {"archive_write_set_format_raw", (void **)&fn.archive_write_set_format_raw},
};
static struct dl_lib lib = DL_LIB_INIT(LIBARCHIVE, syms, NULL);

static bool loaded(void)
{
        return dl_lib_load(&lib);
}

time_t archive_entry_atime(struct archive_entry *a0)
{
        return loaded() ? fn.archive_entry_atime(a0) : 0;
}

int archive_entry_atime_is_set(struct archive_entry *a0)
{
        return loaded() ? fn.archive_entry_atime_is_set(a0) : ARCHIVE_FATAL;
}

long archive_entry_atime_nsec(struct archive_entry *a0)
{
        return loaded() ? fn.archive_entry_atime_nsec(a0) : 0;
}

struct archive_entry *archive_entry_clone(struct archive_entry *a0)
{
        return loaded() ? fn.archive_entry_clone(a0) : NULL;
}

void archive_entry_copy_stat(struct archive_entry *a0, const struct stat *a1)
{
        if (loaded())
                fn.archive_entry_copy_stat(a0, a1);
}

__LA_MODE_T archive_entry_filetype(struct archive_entry *a0)
{
        return loaded() ? fn.archive_entry_filetype(a0) : 0;
}

void archive_entry_free(struct archive_entry *a0)
{
        if (loaded())
                fn.archive_entry_free(a0);
}

la_int64_t archive_entry_gid(struct archive_entry *a0)
{
        return loaded() ? fn.archive_entry_gid(a0) : 0;
}

const char *archive_entry_hardlink(struct archive_entry *a0)
{
        return loaded() ? fn.archive_entry_hardlink(a0) : NULL;
}

__LA_MODE_T archive_entry_mode(struct archive_entry *a0)
{
        return loaded() ? fn.archive_entry_mode(a0) : 0;
}

time_t archive_entry_mtime(struct archive_entry *a0)
{
        return loaded() ? fn.archive_entry_mtime(a0) : 0;
}

long archive_entry_mtime_nsec(struct archive_entry *a0)
{
        return loaded() ? fn.archive_entry_mtime_nsec(a0) : 0;
}

struct archive_entry *archive_entry_new(void)
{
        return loaded() ? fn.archive_entry_new() : NULL;
}

const char *archive_entry_pathname(struct archive_entry *a0)
{
        return loaded() ? fn.archive_entry_pathname(a0) : NULL;
}

__LA_MODE_T archive_entry_perm(struct archive_entry *a0)
{
        return loaded() ? fn.archive_entry_perm(a0) : 0;
}

dev_t archive_entry_rdev(struct archive_entry *a0)
{
        return loaded() ? fn.archive_entry_rdev(a0) : 0;
}

void archive_entry_set_filetype(struct archive_entry *a0, unsigned int a1)
{
        if (loaded())
                fn.archive_entry_set_filetype(a0, a1);
}

void archive_entry_set_gid(struct archive_entry *a0, la_int64_t a1)
{
        if (loaded())
                fn.archive_entry_set_gid(a0, a1);
}

void archive_entry_set_gname(struct archive_entry *a0, const char *a1)
{
        if (loaded())
                fn.archive_entry_set_gname(a0, a1);
}

void archive_entry_set_hardlink(struct archive_entry *a0, const char *a1)
{
        if (loaded())
                fn.archive_entry_set_hardlink(a0, a1);
}

void archive_entry_set_mtime(struct archive_entry *a0, time_t a1, long a2)
{
        if (loaded())
                fn.archive_entry_set_mtime(a0, a1, a2);
}

void archive_entry_set_pathname(struct archive_entry *a0, const char *a1)
{
        if (loaded())
                fn.archive_entry_set_pathname(a0, a1);
}

void archive_entry_set_perm(struct archive_entry *a0, __LA_MODE_T a1)
{
        if (loaded())
                fn.archive_entry_set_perm(a0, a1);
}

void archive_entry_set_size(struct archive_entry *a0, la_int64_t a1)
{
        if (loaded())
                fn.archive_entry_set_size(a0, a1);
}

void archive_entry_set_symlink(struct archive_entry *a0, const char *a1)
{
        if (loaded())
                fn.archive_entry_set_symlink(a0, a1);
}

void archive_entry_set_uid(struct archive_entry *a0, la_int64_t a1)
{
        if (loaded())
                fn.archive_entry_set_uid(a0, a1);
}

void archive_entry_set_uname(struct archive_entry *a0, const char *a1)
{
        if (loaded())
                fn.archive_entry_set_uname(a0, a1);
}

la_int64_t archive_entry_size(struct archive_entry *a0)
{
        return loaded() ? fn.archive_entry_size(a0) : 0;
}

int archive_entry_size_is_set(struct archive_entry *a0)
{
        return loaded() ? fn.archive_entry_size_is_set(a0) : ARCHIVE_FATAL;
}

const char *archive_entry_symlink(struct archive_entry *a0)
{
        return loaded() ? fn.archive_entry_symlink(a0) : NULL;
}

la_int64_t archive_entry_uid(struct archive_entry *a0)
{
        return loaded() ? fn.archive_entry_uid(a0) : 0;
}

void archive_entry_xattr_clear(struct archive_entry *a0)
{
        if (loaded())
                fn.archive_entry_xattr_clear(a0);
}

int archive_entry_xattr_next(struct archive_entry *a0, const char **a1, const void **a2, size_t *a3)
{
        return loaded() ? fn.archive_entry_xattr_next(a0, a1, a2, a3) : ARCHIVE_FATAL;
}

int archive_entry_xattr_reset(struct archive_entry *a0)
{
        return loaded() ? fn.archive_entry_xattr_reset(a0) : ARCHIVE_FATAL;
}

int archive_errno(struct archive *a0)
{
        return loaded() ? fn.archive_errno(a0) : ELIBACC;
}

const char *archive_error_string(struct archive *a0)
{
        return loaded() ? fn.archive_error_string(a0) : lib.error;
}

la_int64_t archive_filter_bytes(struct archive *a0, int a1)
{
        return loaded() ? fn.archive_filter_bytes(a0, a1) : 0;
}

int archive_read_data_block(struct archive *a0, const void **a1, size_t *a2, la_int64_t *a3)
{
        return loaded() ? fn.archive_read_data_block(a0, a1, a2, a3) : ARCHIVE_FATAL;
}

int archive_read_free(struct archive *a0)
{
        return loaded() ? fn.archive_read_free(a0) : ARCHIVE_FATAL;
}

struct archive *archive_read_new(void)
{
        return loaded() ? fn.archive_read_new() : NULL;
}

int archive_read_next_header(struct archive *a0, struct archive_entry **a1)
{
        return loaded() ? fn.archive_read_next_header(a0, a1) : ARCHIVE_FATAL;
}

int archive_read_open(struct archive *a0, void *a1, archive_open_callback *a2,
                      archive_read_callback *a3, archive_close_callback *a4)
{
        return loaded() ? fn.archive_read_open(a0, a1, a2, a3, a4) : ARCHIVE_FATAL;
}

int archive_read_open_fd(struct archive *a0, int a1, size_t a2)
{
        return loaded() ? fn.archive_read_open_fd(a0, a1, a2) : ARCHIVE_FATAL;
}

int archive_read_open_memory(struct archive *a0, const void *a1, size_t a2)
{
        return loaded() ? fn.archive_read_open_memory(a0, a1, a2) : ARCHIVE_FATAL;
}

int archive_read_support_filter_all(struct archive *a0)
{
        return loaded() ? fn.archive_read_support_filter_all(a0) : ARCHIVE_FATAL;
}

int archive_read_support_filter_gzip(struct archive *a0)
{
        return loaded() ? fn.archive_read_support_filter_gzip(a0) : ARCHIVE_FATAL;
}

int archive_read_support_filter_zstd(struct archive *a0)
{
        return loaded() ? fn.archive_read_support_filter_zstd(a0) : ARCHIVE_FATAL;
}

int archive_read_support_format_empty(struct archive *a0)
{
        return loaded() ? fn.archive_read_support_format_empty(a0) : ARCHIVE_FATAL;
}

int archive_read_support_format_gnutar(struct archive *a0)
{
        return loaded() ? fn.archive_read_support_format_gnutar(a0) : ARCHIVE_FATAL;
}

int archive_read_support_format_raw(struct archive *a0)
{
        return loaded() ? fn.archive_read_support_format_raw(a0) : ARCHIVE_FATAL;
}

int archive_read_support_format_tar(struct archive *a0)
{
        return loaded() ? fn.archive_read_support_format_tar(a0) : ARCHIVE_FATAL;
}

int archive_write_add_filter_gzip(struct archive *a0)
{
        return loaded() ? fn.archive_write_add_filter_gzip(a0) : ARCHIVE_FATAL;
}

int archive_write_close(struct archive *a0)
{
        return loaded() ? fn.archive_write_close(a0) : ARCHIVE_FATAL;
}

la_ssize_t archive_write_data(struct archive *a0, const void *a1, size_t a2)
{
        return loaded() ? fn.archive_write_data(a0, a1, a2) : -1;
}

int archive_write_free(struct archive *a0)
{
        return loaded() ? fn.archive_write_free(a0) : ARCHIVE_FATAL;
}

int archive_write_header(struct archive *a0, struct archive_entry *a1)
{
        return loaded() ? fn.archive_write_header(a0, a1) : ARCHIVE_FATAL;
}

struct archive *archive_write_new(void)
{
        return loaded() ? fn.archive_write_new() : NULL;
}

int archive_write_open2(struct archive *a0, void *a1, archive_open_callback *a2,
                        archive_write_callback *a3, archive_close_callback *a4,
                        archive_free_callback *a5)
{
        return loaded() ? fn.archive_write_open2(a0, a1, a2, a3, a4, a5) : ARCHIVE_FATAL;
}

int archive_write_open_fd(struct archive *a0, int a1)
{
        return loaded() ? fn.archive_write_open_fd(a0, a1) : ARCHIVE_FATAL;
}

int archive_write_set_bytes_in_last_block(struct archive *a0, int a1)
{
        return loaded() ? fn.archive_write_set_bytes_in_last_block(a0, a1) : ARCHIVE_FATAL;
}

int archive_write_set_bytes_per_block(struct archive *a0, int a1)
{
        return loaded() ? fn.archive_write_set_bytes_per_block(a0, a1) : ARCHIVE_FATAL;
}

int archive_write_set_filter_option(struct archive *a0, const char *a1, const char *a2,
                                    const char *a3)
{
        return loaded() ? fn.archive_write_set_filter_option(a0, a1, a2, a3) : ARCHIVE_FATAL;
}

int archive_write_set_format_pax_restricted(struct archive *a0)
{
        return loaded() ? fn.archive_write_set_format_pax_restricted(a0) : ARCHIVE_FATAL;
}

int archive_write_set_format_raw(struct archive *a0)
{
        return loaded() ? fn.archive_write_set_format_raw(a0) : ARCHIVE_FATAL;
}
