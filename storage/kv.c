/* Freeing helpers for the result types of store.h, shared by all backends. */
#include "storage/store.h"

#include <stdlib.h>
#include <string.h>

void store_kv_clear(struct store_kv *kv)
{
	if (!kv)
		return;
	free(kv->key);
	free(kv->value);
	memset(kv, 0, sizeof *kv);
}

void store_list_clear(struct store_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->count; i++)
		store_kv_clear(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof *l);
}
