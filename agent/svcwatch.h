/* agent/svcwatch.h — the node's one view of Services and EndpointSlices.
 *
 * One list+watch per resource (/api/v1/services and
 * /apis/discovery.k8s.io/v1/endpointslices) through the node's API client,
 * relisting on 410 Gone or a closed stream, keeps a cache of both and hands
 * every change to the registered consumers (the Service proxy, cluster DNS),
 * so the agent watches them once however many parts need them. A relist
 * reports what changed meanwhile, deletions included. */
#ifndef AGENT_SVCWATCH_H
#define AGENT_SVCWATCH_H

#include <stdbool.h>
#include <jansson.h>
#include <uv.h>

#include "common/httpc.h"
#include "common/log.h"

#define SVCWATCH_MAX_CONSUMERS 8
#define SVCWATCH_RELIST_MS 1000

enum svcwatch_event { SVCWATCH_ADDED, SVCWATCH_MODIFIED, SVCWATCH_DELETED };

/* Callbacks run on the loop; objects are borrowed for the call (incref to
 * keep). Any callback may be NULL. */
struct svcwatch_consumer {
	void (*on_service)(void *ud, enum svcwatch_event ev, const json_t *svc);
	void (*on_slice)(void *ud, enum svcwatch_event ev, const json_t *slice);
	/* Both first lists arrived: the consumer has seen every object once. */
	void (*on_synced)(void *ud);
	void *ud;
};

struct svcwatch;

/* api and log are borrowed and must outlive the watcher. */
int svcwatch_new(uv_loop_t *loop, struct httpc *api, const struct logger *log,
		 struct svcwatch **out);
/* Registers a consumer (copied). One that joins late is first told about
 * every cached object (ADDED) and, when the lists are in, on_synced.
 * -ENOSPC beyond SVCWATCH_MAX_CONSUMERS. */
int svcwatch_subscribe(struct svcwatch *sw, const struct svcwatch_consumer *c);
void svcwatch_start(struct svcwatch *sw);
/* Cancels the watches and closes the timers (call before freeing the API
 * client). No callback runs afterwards. NULL is a no-op. */
void svcwatch_stop(struct svcwatch *sw);
/* After the loop ended. NULL is a no-op. */
void svcwatch_free(struct svcwatch *sw);

bool svcwatch_synced(const struct svcwatch *sw);
/* The caches, "namespace/name" -> object (borrowed). */
const json_t *svcwatch_services(const struct svcwatch *sw);
const json_t *svcwatch_slices(const struct svcwatch *sw);

#endif
