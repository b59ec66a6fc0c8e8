/* Small file helpers shared by the node-side modules. */
#ifndef COMMON_FILEUTIL_H
#define COMMON_FILEUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Reads at most len-1 bytes of path into buf and NUL-terminates it. Returns
 * the byte count or a negative errno (-EINVAL when len is 0). */
ssize_t file_read_small(const char *path, char *buf, size_t len);

#endif
