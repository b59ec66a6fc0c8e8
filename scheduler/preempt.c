/* scheduler/preempt.c — upstream DefaultPreemption: on each node where the
 * pod failed for a reason eviction can fix, take away every pod of lower
 * priority, check the pod then fits, and give back (reprieve) as many as
 * possible, most important first, PDB-protected ones before the rest. The
 * node chosen has the fewest PDB violations, then the lowest highest victim
 * priority, the lowest priority sum, the fewest victims, the latest start.
 * No cross-node preemption. The cache is left as it was found. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonutil.h"
#include "scheduler/sched_internal.h"

struct candidate {
	struct sched_node *node;
	struct sched_pod **victims;
	uint32_t nvictims;
	int violations;
	int64_t max_prio, sum_prio;
	long long start_of_highest; /* earliest start among the highest-priority victims */
};

struct trial {
	struct cycle *cy;
	struct sched_node *node;
	struct histogram *h;
	int32_t *pdb_allowed; /* copy per node, indexed by pdb map slot */
};

static void take_off(struct trial *t, struct sched_pod *q, bool off)
{
	if (q->removed == off)
		return;
	q->removed = off;
	node_take_pod(t->node, q, off ? -1 : +1);
	cycle_account(t->cy, q, t->node, off ? -1 : +1);
}

static bool fits_now(struct trial *t, struct verdict *v)
{
	cycle_finish(t->cy);
	return filter_node(t->cy, t->node, v);
}

/* Upstream MoreImportantPod: higher priority, then earlier start. */
static int by_importance(const void *a, const void *b)
{
	const struct sched_pod *x = *(struct sched_pod *const *)a, *y = *(struct sched_pod *const *)b;
	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	return x->start_time < y->start_time ? -1 : x->start_time > y->start_time;
}

/* Would evicting q break a PodDisruptionBudget (allowance used up by the
 * victims before it on this node)? */
static bool violates_pdb(struct trial *t, const struct sched_pod *q)
{
	const struct sched_cache *c = t->cy->c;
	bool violated = false;
	for (uint32_t i = 0; i < c->pdbs.cap; i++) {
		if (!smap_live(&c->pdbs, i))
			continue;
		const struct pdb *d = c->pdbs.vals[i];
		if (d->ns_id != q->ns_id || !d->sel.n || !selector_match(&c->strs, &d->sel, q->labels, 0))
			continue;
		if (--t->pdb_allowed[i] < 0)
			violated = true;
	}
	return violated;
}

static void note_victim(struct candidate *cand, struct sched_pod *q)
{
	cand->victims[cand->nvictims++] = q;
	if (q->priority > cand->max_prio || cand->nvictims == 1) {
		cand->max_prio = q->priority;
		cand->start_of_highest = q->start_time;
	} else if (q->priority == cand->max_prio && q->start_time < cand->start_of_highest) {
		cand->start_of_highest = q->start_time;
	}
	cand->sum_prio += (int64_t)q->priority + (int64_t)INT_MAX + 1;
}

/* Gives q back unless the pod then stops fitting; true when q must go. */
static bool reprieve(struct trial *t, struct sched_pod *q)
{
	struct verdict v;
	take_off(t, q, false);
	if (fits_now(t, &v))
		return false;
	take_off(t, q, true);
	return true;
}

static int select_victims(struct trial *t, struct candidate *cand)
{
	const struct sched_pod *p = t->cy->p;
	struct sched_node *n = t->node;
	struct sched_pod **pot = malloc((n->npods + 1) * sizeof(*pot));
	bool *violating = calloc(n->npods + 1, sizeof(*violating));
	if (!pot || !violating) {
		free(pot);
		free(violating);
		return -ENOMEM;
	}
	uint32_t np = 0;
	for (uint32_t i = 0; i < n->npods; i++)
		if (n->pods[i]->priority < p->priority)
			pot[np++] = n->pods[i];
	struct verdict v;
	if (!np) {
		histogram_add(t->h, "No preemption victims found for incoming pod");
		goto out;
	}
	for (uint32_t i = 0; i < np; i++)
		take_off(t, pot[i], true);
	if (!fits_now(t, &v)) {
		for (int i = 0; i < v.n; i++)
			histogram_add(t->h, v.reason[i]);
		goto restore;
	}
	qsort(pot, np, sizeof(*pot), by_importance);
	for (uint32_t i = 0; i < np; i++)
		violating[i] = violates_pdb(t, pot[i]);
	cand->node = n;
	for (int pass = 1; pass >= 0; pass--) /* PDB-protected pods get their reprieve first */
		for (uint32_t i = 0; i < np; i++)
			if (violating[i] == (bool)pass && reprieve(t, pot[i])) {
				note_victim(cand, pot[i]);
				cand->violations += pass;
			}
restore:
	for (uint32_t i = 0; i < np; i++)
		take_off(t, pot[i], false);
	cycle_finish(t->cy);
out:
	free(pot);
	free(violating);
	return 0;
}

static bool better(const struct candidate *a, const struct candidate *b)
{
	if (!b->node)
		return true;
	if (a->violations != b->violations)
		return a->violations < b->violations;
	if (a->max_prio != b->max_prio)
		return a->max_prio < b->max_prio;
	if (a->sum_prio != b->sum_prio)
		return a->sum_prio < b->sum_prio;
	if (a->nvictims != b->nvictims)
		return a->nvictims < b->nvictims;
	return a->start_of_highest > b->start_of_highest;
}

static void report(const struct candidate *best, struct sched_preemption *out)
{
	snprintf(out->node, sizeof(out->node), "%s", best->node->name);
	out->pdb_violations = best->violations;
	for (uint32_t i = 0; i < best->nvictims && out->nvictims < SCHED_MAX_VICTIMS; i++) {
		struct sched_victim *vv = &out->victims[out->nvictims++];
		snprintf(vv->ns, sizeof(vv->ns), "%s", best->victims[i]->ns);
		snprintf(vv->name, sizeof(vv->name), "%s", best->victims[i]->name);
	}
	snprintf(out->message, sizeof(out->message), "preemption: %u victim(s) on node %s", best->nvictims,
		 best->node->name);
}

static int find_candidate(struct cycle *cy, struct histogram *h, struct candidate *best)
{
	struct sched_cache *c = cy->c;
	struct trial t = {.cy = cy, .h = h};
	struct candidate cand = {0};
	t.pdb_allowed = calloc(c->pdbs.cap + 1, sizeof(*t.pdb_allowed));
	cand.victims = malloc((c->placed + 1) * sizeof(*cand.victims));
	best->victims = malloc((c->placed + 1) * sizeof(*best->victims));
	int r = t.pdb_allowed && cand.victims && best->victims ? 0 : -ENOMEM;
	for (uint32_t j = 0; j < c->nlist && r == 0; j++) {
		struct verdict v;
		t.node = c->list[j];
		if (filter_node(cy, t.node, &v)) { /* fits as it is: nothing to evict */
			best->node = t.node;
			best->nvictims = 0;
			best->violations = 0;
			break;
		}
		if (v.unresolvable) {
			histogram_add(h, "Preemption is not helpful for scheduling");
			continue;
		}
		for (uint32_t i = 0; i < c->pdbs.cap; i++)
			if (smap_live(&c->pdbs, i))
				t.pdb_allowed[i] = ((struct pdb *)c->pdbs.vals[i])->allowed;
		struct sched_pod **keep = cand.victims;
		memset(&cand, 0, sizeof(cand));
		cand.victims = keep;
		r = select_victims(&t, &cand);
		if (r == 0 && cand.node && better(&cand, best)) {
			struct sched_pod **spare = best->victims;
			*best = cand;
			cand.victims = spare;
		}
	}
	free(t.pdb_allowed);
	free(cand.victims);
	return r;
}

/* upstream podEligibleToPreemptOthers: while the victims of an earlier
 * preemption are still terminating on the nominated node, wait for them
 * rather than evict more. */
static bool waiting_for_victims(const struct sched_cache *c, const json_t *pod, const struct sched_pod *p)
{
	const char *nom = json_path_str(pod, "status.nominatedNodeName");
	const struct sched_node *n = nom && *nom ? smap_get(&c->nodes, nom) : NULL;
	for (uint32_t i = 0; n && i < n->npods; i++)
		if (n->pods[i]->terminating && n->pods[i]->priority < p->priority)
			return true;
	return false;
}

int sched_preempt(struct sched_cache *c, const json_t *pod, struct sched_preemption *out)
{
	memset(out, 0, sizeof(*out));
	struct sched_pod *p = sched_pod_parse(c, pod);
	if (!p)
		return -EINVAL;
	if (p->preempt_never) {
		snprintf(out->message, sizeof(out->message), "preemption: not eligible due to preemptionPolicy=Never.");
		sched_pod_free(c, p);
		return -ENOSPC;
	}
	if (waiting_for_victims(c, pod, p)) {
		snprintf(out->message, sizeof(out->message),
			 "preemption: not eligible due to a terminating pod on the nominated node.");
		sched_pod_free(c, p);
		return -ENOSPC;
	}
	struct cycle cy;
	struct histogram *h = calloc(1, sizeof(*h));
	struct candidate best = {0};
	int r = -ENOMEM;
	if (h) {
		r = cycle_init(&cy, c, p);
		if (r == 0)
			r = find_candidate(&cy, h, &best);
		cycle_free(&cy);
	}
	if (r == 0 && best.node) {
		report(&best, out);
	} else if (r == 0) {
		histogram_format(h, (int)c->nlist, "preemption: ", out->message, sizeof(out->message));
		r = -ENOSPC;
	}
	free(best.victims);
	free(h);
	sched_pod_free(c, p);
	return r;
}
