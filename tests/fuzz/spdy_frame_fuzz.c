/* libFuzzer target: raw bytes as a client's SPDY/3.1 byte stream through the
 * frame parser and header-block inflater, split into chunks at positions the
 * input chooses (WebSocket messages may cut frames anywhere). The first byte
 * picks the chunk size. Reads every field handed to the callback so that
 * ASan sees any out-of-bounds pointer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/spdy.h"

static int touch(void *ud, const struct spdy_frame *f)
{
	size_t *sum = ud;
	for (size_t i = 0; i < f->len; i++)
		*sum += f->data[i];
	if (f->nv)
		for (size_t i = 0; i < f->nv->n; i++)
			*sum += strlen(f->nv->kv[i].name) + strlen(f->nv->kv[i].value);
	for (size_t i = 0; i < f->nsettings; i++)
		*sum += f->settings[i].value;
	/* Stop now and then: the parser must stay consistent for the next feed. */
	return (*sum & 0xff) == 0x5a ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct spdy_parser p; /* 50 KiB: not on the fuzzer's stack */
	if (size == 0 || spdy_parser_init(&p) != 0)
		return 0;
	size_t chunk = (size_t)data[0] + 1, sum = 0;
	for (size_t off = 1; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;
		spdy_parser_feed(&p, data + off, n, touch, &sum);
	}
	spdy_parser_free(&p);
	return 0;
}
