/* The scheduler of one control plane: places pending pods whose
 * schedulerName is default-scheduler on nodes (scheduler/sched.h decides),
 * binds them through the pods/binding subresource, preempts lower-priority
 * pods when nothing fits, and records PodScheduled=False with the reasons
 * otherwise. Highest priority first; unschedulable pods wait for a change in
 * the cluster (a node added or changed, a pod gone), never a hot loop. */
#ifndef SCHEDULER_SCHEDULER_H
#define SCHEDULER_SCHEDULER_H

#include <uv.h>

#include "common/apiclient.h"
#include "storage/store.h"

struct scheduler;

struct scheduler_config {
	uv_loop_t *loop;
	struct store *store;
	struct api_client api;
	int verbosity;
};

int scheduler_start(const struct scheduler_config *cfg, struct scheduler **out);
void scheduler_stop(struct scheduler *s);

#endif
