/* The controllers of one control plane (Deployment, ReplicaSet, DaemonSet,
 * StatefulSet, Job, CronJob, garbage collector, namespace, ServiceAccount,
 * node lifecycle, EndpointSlice, PodDisruptionBudget…). They read from
 * informers fed by the store's commit stream and write through the API
 * server's request path (struct api_client), so everything they write is
 * validated like a kubectl request. main.c starts them beside the API server. */
#ifndef CONTROLLERS_CONTROLLERS_H
#define CONTROLLERS_CONTROLLERS_H

#include <uv.h>

#include "common/apiclient.h"
#include "storage/store.h"

struct controllers;

struct controllers_config {
	uv_loop_t *loop;
	struct store *store;
	struct api_client api;
	int verbosity;
	int node_grace_seconds;	   /* lease age before a node goes Unknown; 0 = 50 */
	double node_eviction_rate; /* nodes/s per zone getting NoExecute; 0 = 0.1 */
	const char *local_storage_path; /* local-path provisioner; NULL = /var/lib/minikube/storage */
	const char *ca_pem;	   /* cluster CA for kube-root-ca.crt; NULL: none (borrowed) */
};

int controllers_start(const struct controllers_config *cfg, struct controllers **out);
/* Stops watching and writing now; memory is released on the loop. */
void controllers_stop(struct controllers *c);

#endif
