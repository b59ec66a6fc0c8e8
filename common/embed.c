/* Lookup in the table of files embedded by scripts/embed.cmake, and their
 * inflation (zlib; the data are gzip streams). */
#include "common/embed.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

const struct embedded_file *embed_find(const char *name)
{
	for (const struct embedded_file *f = embedded_files; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

int embed_read(const struct embedded_file *f, char **out, size_t *len)
{
	char *buf = malloc(f->len + 1);
	if (!buf)
		return -ENOMEM;
	z_stream z = {0};
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) { /* 16: a gzip header */
		free(buf);
		return -ENOMEM;
	}
	z.next_in = (unsigned char *)f->gz;
	z.avail_in = (uInt)f->gz_len;
	z.next_out = (unsigned char *)buf;
	z.avail_out = (uInt)f->len + 1; /* one spare byte: more data than recorded is corrupt */
	int zr = inflate(&z, Z_FINISH);
	size_t got = z.total_out;
	inflateEnd(&z);
	if (zr != Z_STREAM_END || got != f->len) {
		free(buf);
		return -EIO;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;
}
