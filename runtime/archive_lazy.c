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

#define ARCHIVE_FUNCS(F, V, C)                                                                     \
        F(time_t, archive_entry_atime, 0, (struct archive_entry * a0), (a0))                       \
        F(int, archive_entry_atime_is_set, ARCHIVE_FATAL, (struct archive_entry * a0), (a0))       \
        F(long, archive_entry_atime_nsec, 0, (struct archive_entry * a0), (a0))                    \
        F(struct archive_entry *, archive_entry_clone, NULL, (struct archive_entry * a0), (a0))    \
        V(archive_entry_copy_stat, (struct archive_entry * a0, const struct stat *a1), (a0, a1))   \
        F(__LA_MODE_T, archive_entry_filetype, 0, (struct archive_entry * a0), (a0))               \
        V(archive_entry_free, (struct archive_entry * a0), (a0))                                   \
        F(la_int64_t, archive_entry_gid, 0, (struct archive_entry * a0), (a0))                     \
        F(const char *, archive_entry_hardlink, NULL, (struct archive_entry * a0), (a0))           \
        F(__LA_MODE_T, archive_entry_mode, 0, (struct archive_entry * a0), (a0))                   \
        F(time_t, archive_entry_mtime, 0, (struct archive_entry * a0), (a0))                       \
        F(long, archive_entry_mtime_nsec, 0, (struct archive_entry * a0), (a0))                    \
        F(struct archive_entry *, archive_entry_new, NULL, (void), ())                             \
        F(const char *, archive_entry_pathname, NULL, (struct archive_entry * a0), (a0))           \
        F(__LA_MODE_T, archive_entry_perm, 0, (struct archive_entry * a0), (a0))                   \
        F(dev_t, archive_entry_rdev, 0, (struct archive_entry * a0), (a0))                         \
        V(archive_entry_set_filetype, (struct archive_entry * a0, unsigned int a1), (a0, a1))      \
        V(archive_entry_set_gid, (struct archive_entry * a0, la_int64_t a1), (a0, a1))             \
        V(archive_entry_set_gname, (struct archive_entry * a0, const char *a1), (a0, a1))          \
        V(archive_entry_set_hardlink, (struct archive_entry * a0, const char *a1), (a0, a1))       \
        V(archive_entry_set_mtime, (struct archive_entry * a0, time_t a1, long a2), (a0, a1, a2))  \
        V(archive_entry_set_pathname, (struct archive_entry * a0, const char *a1), (a0, a1))       \
        V(archive_entry_set_perm, (struct archive_entry * a0, __LA_MODE_T a1), (a0, a1))           \
        V(archive_entry_set_size, (struct archive_entry * a0, la_int64_t a1), (a0, a1))            \
        V(archive_entry_set_symlink, (struct archive_entry * a0, const char *a1), (a0, a1))        \
        V(archive_entry_set_uid, (struct archive_entry * a0, la_int64_t a1), (a0, a1))             \
        V(archive_entry_set_uname, (struct archive_entry * a0, const char *a1), (a0, a1))          \
        F(la_int64_t, archive_entry_size, 0, (struct archive_entry * a0), (a0))                    \
        F(int, archive_entry_size_is_set, ARCHIVE_FATAL, (struct archive_entry * a0), (a0))        \
        F(const char *, archive_entry_symlink, NULL, (struct archive_entry * a0), (a0))            \
        F(la_int64_t, archive_entry_uid, 0, (struct archive_entry * a0), (a0))                     \
        V(archive_entry_xattr_clear, (struct archive_entry * a0), (a0))                            \
        F(int, archive_entry_xattr_next, ARCHIVE_FATAL,                                            \
          (struct archive_entry * a0, const char **a1, const void **a2, size_t *a3),               \
          (a0, a1, a2, a3))                                                                        \
        F(int, archive_entry_xattr_reset, ARCHIVE_FATAL, (struct archive_entry * a0), (a0))        \
        F(int, archive_errno, ELIBACC, (struct archive * a0), (a0))                                \
        F(const char *, archive_error_string, lib.error, (struct archive * a0), (a0))              \
        F(la_int64_t, archive_filter_bytes, 0, (struct archive * a0, int a1), (a0, a1))            \
        F(int, archive_read_data_block, ARCHIVE_FATAL,                                             \
          (struct archive * a0, const void **a1, size_t *a2, la_int64_t *a3), (a0, a1, a2, a3))    \
        F(int, archive_read_free, ARCHIVE_FATAL, (struct archive * a0), (a0))                      \
        F(struct archive *, archive_read_new, NULL, (void), ())                                    \
        F(int, archive_read_next_header, ARCHIVE_FATAL,                                            \
          (struct archive * a0, struct archive_entry * *a1), (a0, a1))                             \
        F(int, archive_read_open, ARCHIVE_FATAL,                                                   \
          (struct archive * a0, void *a1, archive_open_callback *a2, archive_read_callback *a3,    \
           archive_close_callback *a4),                                                            \
          (a0, a1, a2, a3, a4))                                                                    \
        F(int, archive_read_open_fd, ARCHIVE_FATAL, (struct archive * a0, int a1, size_t a2),      \
          (a0, a1, a2))                                                                            \
        F(int, archive_read_open_memory, ARCHIVE_FATAL,                                            \
          (struct archive * a0, const void *a1, size_t a2), (a0, a1, a2))                          \
        F(int, archive_read_support_filter_all, ARCHIVE_FATAL, (struct archive * a0), (a0))        \
        F(int, archive_read_support_filter_gzip, ARCHIVE_FATAL, (struct archive * a0), (a0))       \
        F(int, archive_read_support_filter_zstd, ARCHIVE_FATAL, (struct archive * a0), (a0))       \
        F(int, archive_read_support_format_empty, ARCHIVE_FATAL, (struct archive * a0), (a0))      \
        F(int, archive_read_support_format_gnutar, ARCHIVE_FATAL, (struct archive * a0), (a0))     \
        F(int, archive_read_support_format_raw, ARCHIVE_FATAL, (struct archive * a0), (a0))        \
        F(int, archive_read_support_format_tar, ARCHIVE_FATAL, (struct archive * a0), (a0))        \
        F(int, archive_write_add_filter_gzip, ARCHIVE_FATAL, (struct archive * a0), (a0))          \
        F(int, archive_write_close, ARCHIVE_FATAL, (struct archive * a0), (a0))                    \
        F(la_ssize_t, archive_write_data, -1, (struct archive * a0, const void *a1, size_t a2),    \
          (a0, a1, a2))                                                                            \
        F(int, archive_write_free, ARCHIVE_FATAL, (struct archive * a0), (a0))                     \
        F(int, archive_write_header, ARCHIVE_FATAL,                                                \
          (struct archive * a0, struct archive_entry * a1), (a0, a1))                              \
        F(struct archive *, archive_write_new, NULL, (void), ())                                   \
        F(int, archive_write_open2, ARCHIVE_FATAL,                                                 \
          (struct archive * a0, void *a1, archive_open_callback *a2, archive_write_callback *a3,   \
           archive_close_callback *a4, archive_free_callback *a5),                                 \
          (a0, a1, a2, a3, a4, a5))                                                                \
        F(int, archive_write_open_fd, ARCHIVE_FATAL, (struct archive * a0, int a1), (a0, a1))      \
        F(int, archive_write_set_bytes_in_last_block, ARCHIVE_FATAL,                               \
          (struct archive * a0, int a1), (a0, a1))                                                 \
        F(int, archive_write_set_bytes_per_block, ARCHIVE_FATAL, (struct archive * a0, int a1),    \
          (a0, a1))                                                                                \
        F(int, archive_write_set_filter_option, ARCHIVE_FATAL,                                     \
          (struct archive * a0, const char *a1, const char *a2, const char *a3), (a0, a1, a2, a3)) \
        F(int, archive_write_set_format_pax_restricted, ARCHIVE_FATAL, (struct archive * a0),      \
          (a0))                                                                                    \
        F(int, archive_write_set_format_raw, ARCHIVE_FATAL, (struct archive * a0), (a0))

DL_LAZY(ARCHIVE_FUNCS, LIBARCHIVE, NULL)
