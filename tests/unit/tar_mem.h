/* tar_mem.h - a tar (pax) written into a buffer, for the unit tests' archives.
 *
 *   struct archive *a = tar_mem_open(buf, sizeof(buf), &used);
 *   tar_mem_entry(ae, "d/f", AE_IFREG, 0644, 5);   then archive_write_header / _data
 *   archive_write_close(a); archive_write_free(a);   used: the tar's length */
#ifndef BERTH_TEST_TAR_MEM_H
#define BERTH_TEST_TAR_MEM_H

#include <archive.h>
#include <archive_entry.h>
#include <stddef.h>

static inline struct archive *tar_mem_open(void *buf, size_t size, size_t *used)
{
        struct archive *a = archive_write_new();
        archive_write_set_format_pax_restricted(a);
        archive_write_open_memory(a, buf, size, used);
        return a;
}

/* Reset ae to a member: path, type (AE_IF*), permissions and data size. */
static inline void tar_mem_entry(struct archive_entry *ae, const char *path, unsigned type,
                                 int perm, la_int64_t size)
{
        archive_entry_clear(ae);
        archive_entry_set_pathname(ae, path);
        archive_entry_set_filetype(ae, type);
        archive_entry_set_perm(ae, perm);
        archive_entry_set_size(ae, size);
}

#endif
