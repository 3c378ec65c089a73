/* tar_mem.h - a tar (pax) written into a buffer, for the unit tests' archives.
 *
 *   struct archive *a = tar_mem_open(buf, sizeof(buf), &used);
 *   ... archive_write_header / archive_write_data ...
 *   archive_write_close(a); archive_write_free(a);   used: the tar's length */
#ifndef BERTH_TEST_TAR_MEM_H
#define BERTH_TEST_TAR_MEM_H

#include <archive.h>
#include <stddef.h>

static inline struct archive *tar_mem_open(void *buf, size_t size, size_t *used)
{
        struct archive *a = archive_write_new();
        archive_write_set_format_pax_restricted(a);
        archive_write_open_memory(a, buf, size, used);
        return a;
}

#endif
