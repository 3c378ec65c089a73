/* dir_entries.h - how many entries a directory holds, for the checks that
 * nothing appeared next to (or escaped from) an extraction root.  Used by the
 * unit tests and the fuzz targets (tests/fuzz includes it as "../unit/..."). */
#ifndef BERTH_TEST_DIR_ENTRIES_H
#define BERTH_TEST_DIR_ENTRIES_H

#include <dirent.h>
#include <string.h>

/* The number of entries of dir but "." and ".." (0 if it cannot be read). */
static inline int dir_entries(const char *dir)
{
        int n = 0;
        DIR *d = opendir(dir);
        struct dirent *de;
        while (d && (de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        n++;
        if (d)
                closedir(d);
        return n;
}

#endif
