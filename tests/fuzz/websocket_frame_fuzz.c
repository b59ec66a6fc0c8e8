/* libFuzzer target: raw bytes as client WebSocket frames through the
 * incremental parser, fed in two pieces to exercise partial frames. */
#include <stddef.h>
#include <stdint.h>

#include "common/websocket.h"

static int sink(void *ud, int op, const char *data, size_t len)
{
	size_t *total = ud;
	*total += len + (size_t)op;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_parser p;
	size_t total = 0;
	ws_parser_init(&p, 4096, size > 0 && (data[0] & 1));
	size_t cut = size > 1 ? data[1] % size : 0;
	if (ws_parser_feed(&p, (const char *)data, cut, sink, &total) == 0)
		(void)ws_parser_feed(&p, (const char *)data + cut, size - cut, sink, &total);
	ws_parser_free(&p);
	return 0;
}
