/* agent/localpath.c — the node's half of the local-path provisioner: the
 * reclaim of Delete volumes made for this node. The control plane
 * (controllers/persistentvolume.c) provisions a hostPath volume pinned to
 * the node and marks it Released when its claim goes; the directory lives
 * only here, so the agent removes it and then deletes the PersistentVolume
 * (node authorization lets a node delete only volumes pinned to it).
 *
 * A watch on PersistentVolumes wakes a scan (one list); a slow timer scans
 * too, in case a watch event was missed. Only a path whose last element
 * starts with the volume's name ("pvc-<uid>", as the provisioner names it)
 * is removed, never following symlinks nor crossing into another
 * filesystem. */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/localpath.h"
#include "common/httpc.h"
#include "common/jsonutil.h"

#define SCAN_DELAY_MS 200   /* after a watch event: several come together */
#define SCAN_EVERY_MS 60000 /* in case an event was missed */
#define WATCH_RETRY_MS 5000

struct localpath {
	struct node *n;
	uv_timer_t scan, rewatch;
	struct httpc_stream *watch;
	bool listing, stopping;
};

static bool is(const char *s, const char *want)
{
	return s && !strcmp(s, want);
}

bool localpath_reclaimable(const json_t *pv, const char *node, char *path, size_t len)
{
	const json_t *ann = json_path(pv, "metadata.annotations");
	const char *name = json_path_str(pv, "metadata.name");
	const char *p = json_path_str(pv, "spec.hostPath.path");
	if (!p)
		p = json_path_str(pv, "spec.local.path");
	if (!name || strncmp(name, "pvc-", 4) || !p ||
	    !is(json_path_str(pv, "status.phase"), "Released") ||
	    !is(json_path_str(pv, "spec.persistentVolumeReclaimPolicy"), "Delete") ||
	    !is(json_string_value(json_object_get(ann, "pv.kubernetes.io/provisioned-by")),
		"rancher.io/local-path") ||
	    json_path(pv, "metadata.deletionTimestamp"))
		return false;
	/* pinned to this node: every term is kubernetes.io/hostname In [node] */
	const json_t *terms = json_path(pv, "spec.nodeAffinity.required.nodeSelectorTerms");
	size_t i;
	json_t *t;
	if (!json_array_size(terms))
		return false;
	json_array_foreach(terms, i, t)
	{
		const json_t *ex = json_object_get(t, "matchExpressions");
		const json_t *e = json_array_get(ex, 0);
		const json_t *vals = json_object_get(e, "values");
		if (json_array_size(ex) != 1 || json_array_size(vals) != 1 ||
		    !is(json_string_value(json_object_get(e, "key")), "kubernetes.io/hostname") ||
		    !is(json_string_value(json_object_get(e, "operator")), "In") ||
		    !is(json_string_value(json_array_get(vals, 0)), node))
			return false;
	}
	/* an absolute path without "..", whose last element is the volume's */
	const char *base = strrchr(p, '/');
	size_t n = strlen(name);
	if (*p != '/' || strstr(p, "/../") || strstr(p, "/./") || !base || base == p ||
	    strncmp(base + 1, name, n) || (base[1 + n] && base[1 + n] != '_') || strlen(p) >= len)
		return false;
	snprintf(path, len, "%s", p);
	return true;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)ftw;
	if (flag == FTW_DP ? rmdir(path) : unlink(path))
		return -1;
	return 0;
}

static int remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 ? -errno : 0;
	return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) ? -EBUSY : 0;
}

static void on_deleted(void *ud, int status, const struct httpc_resp *resp, const char *body,
		       size_t len)
{
	struct localpath *lp = ud;
	(void)resp;
	if (status != 200 && status != 202 && status != 404 &&
	    status != 409) /* 404/409: already gone or replaced */
		log_warn(&lp->n->log, "localpath", "cannot delete volume status=%d %.200s", status,
			 status < 0 ? "" : body);
	(void)len;
}

static void reclaim(struct localpath *lp, const json_t *pv, const char *path)
{
	const char *name = json_path_str(pv, "metadata.name");
	int rc = remove_tree(path);
	if (rc) {
		log_warn(&lp->n->log, "localpath", "cannot remove volume=%s path=%s error=\"%s\"",
			 name, path, strerror(-rc));
		return; /* the next scan tries again */
	}
	log_info(&lp->n->log, "localpath", "removed volume=%s path=%s", name, path);
	char url[512];
	snprintf(url, sizeof url, "/api/v1/persistentvolumes/%s", name);
	json_t *opts = json_pack("{s:s,s:s,s:{s:s}}", "kind", "DeleteOptions", "apiVersion", "v1",
				 "preconditions", "uid", json_path_str(pv, "metadata.uid") ?: "");
	char *body = opts ? json_dumps(opts, JSON_COMPACT) : NULL;
	json_decref(opts);
	if (body)
		httpc_request(lp->n->api, "DELETE", url, "application/json", body, strlen(body),
			      on_deleted, lp);
	free(body);
}

static void on_list(void *ud, int status, const struct httpc_resp *resp, const char *body,
		    size_t len)
{
	struct localpath *lp = ud;
	(void)resp;
	lp->listing = false;
	if (lp->stopping || status != 200)
		return;
	json_t *list = json_loadb(body, len, 0, NULL);
	size_t i;
	json_t *pv;
	json_array_foreach(json_object_get(list, "items"), i, pv)
	{
		char path[4096];
		if (localpath_reclaimable(pv, lp->n->cfg.node_name, path, sizeof path))
			reclaim(lp, pv, path);
	}
	json_decref(list);
}

static void on_scan(uv_timer_t *t)
{
	struct localpath *lp = t->data;
	if (lp->stopping || lp->listing || !lp->n->api)
		return;
	if (httpc_request(lp->n->api, "GET", "/api/v1/persistentvolumes", NULL, NULL, 0, on_list,
			  lp) == 0)
		lp->listing = true;
}

static void scan_soon(struct localpath *lp)
{
	if (!lp->stopping)
		uv_timer_start(&lp->scan, on_scan, SCAN_DELAY_MS, SCAN_EVERY_MS);
}

static void watch_start(struct localpath *lp);

static void on_watch_data(void *ud, const char *chunk, size_t len)
{
	(void)chunk, (void)len;
	scan_soon(ud); /* any change of a volume: look (a Released one shows in the list) */
}

static void on_rewatch(uv_timer_t *t)
{
	watch_start(t->data);
}

static void on_watch_end(void *ud, int status)
{
	struct localpath *lp = ud;
	(void)status;
	lp->watch = NULL;
	if (!lp->stopping)
		uv_timer_start(&lp->rewatch, on_rewatch, WATCH_RETRY_MS, 0);
}

static void watch_start(struct localpath *lp)
{
	if (lp->stopping || lp->watch)
		return;
	if (httpc_stream(lp->n->api, "GET",
			 "/api/v1/persistentvolumes?watch=true&allowWatchBookmarks=false",
			 on_watch_data, on_watch_end, lp, &lp->watch))
		uv_timer_start(&lp->rewatch, on_rewatch, WATCH_RETRY_MS, 0);
}

int localpath_start(struct node *n, struct localpath **out)
{
	struct localpath *lp = calloc(1, sizeof *lp);
	if (!lp)
		return -ENOMEM;
	lp->n = n;
	uv_timer_init(n->loop, &lp->scan);
	uv_timer_init(n->loop, &lp->rewatch);
	lp->scan.data = lp;
	lp->rewatch.data = lp;
	watch_start(lp);
	scan_soon(lp);
	*out = lp;
	return 0;
}

void localpath_stop(struct localpath *lp)
{
	if (!lp || lp->stopping)
		return;
	lp->stopping = true;
	if (lp->watch)
		httpc_stream_cancel(lp->watch);
	lp->watch = NULL;
	uv_close((uv_handle_t *)&lp->scan, NULL);
	uv_close((uv_handle_t *)&lp->rewatch, NULL);
}

void localpath_free(struct localpath *lp)
{
	free(lp);
}
