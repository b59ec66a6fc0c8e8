/* agent/localpath.h — reclaim of the local-path volumes pinned to this node
 * (see agent/localpath.c): a Released PersistentVolume with reclaim policy
 * Delete, provisioned by rancher.io/local-path, loses its directory and then
 * its object. */
#ifndef AGENT_LOCALPATH_H
#define AGENT_LOCALPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

struct node;
struct localpath;

/* Watches PersistentVolumes through the node's API client. */
int localpath_start(struct node *n, struct localpath **out);
/* Cancels the watch and closes the timers; no reclaim starts afterwards. */
void localpath_stop(struct localpath *lp);
/* After the loop ended. NULL is a no-op. */
void localpath_free(struct localpath *lp);

/* Whether pv is a Released, Delete, rancher.io/local-path volume pinned to
 * node (kubernetes.io/hostname In [node] in every term) whose path
 * (hostPath or local) is absolute, without "..", and ends in an element
 * that starts with the volume's name ("pvc-<uid>" or "pvc-<uid>_..."); the
 * path is copied to path. */
bool localpath_reclaimable(const json_t *pv, const char *node, char *path, size_t len);

#endif
