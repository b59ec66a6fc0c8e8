/* The arithmetic and bookkeeping of the Deployment controller that depend on
 * no cluster state (upstream's pkg/controller/deployment/util): surge and
 * unavailability fenceposts, the pod-template hash, revision annotations,
 * how far a new ReplicaSet may grow, proportional scaling and conditions.
 * Private to controllers/ (and its unit test). */
#ifndef CONTROLLERS_DEPLOYMENT_H
#define CONTROLLERS_DEPLOYMENT_H

#include <jansson.h>
#include <stdbool.h>

#define DEPLOY_REVISION "deployment.kubernetes.io/revision"
#define DEPLOY_REVISION_HISTORY "deployment.kubernetes.io/revision-history"
#define DEPLOY_DESIRED_REPLICAS "deployment.kubernetes.io/desired-replicas"
#define DEPLOY_MAX_REPLICAS "deployment.kubernetes.io/max-replicas"
#define DEPLOY_HASH_LABEL "pod-template-hash"

/* An IntOrString (3 or "25%") scaled against total; percentages round up or
 * down. NULL is 0. -EINVAL for a malformed value. */
int deploy_int_or_percent(const json_t *v, long long total, bool round_up, long long *out);

/* MaxSurge and MaxUnavailable of a Deployment (0 unless RollingUpdate; both 0
 * after rounding makes unavailable 1; unavailable never exceeds replicas). */
void deploy_fenceposts(const json_t *d, long long *max_surge, long long *max_unavailable);

/* The pod-template-hash of a template (ctl_template_hash), salted with the
 * collision count when set (status.collisionCount). out has 16 bytes. */
void deploy_template_hash(const json_t *tmpl, const json_t *collision_count, char out[16]);

/* The revision annotation of an object as a number (0 when absent or bad). */
long long deploy_revision(const json_t *obj);

/* Upstream's SetNewReplicaSetAnnotations: copies the Deployment's own
 * annotations, raises the revision to new_revision (keeping the replaced one
 * in revision-history, bounded to 2000 chars), and on a new ReplicaSet
 * records desired/max replicas. Returns true when rs changed. */
bool deploy_set_new_rs_annotations(const json_t *d, json_t *rs, long long new_revision,
				   bool exists);

/* desired-replicas and max-replicas annotations; true when they changed. */
bool deploy_set_replicas_annotations(json_t *rs, long long desired, long long max);

/* How many replicas the new ReplicaSet may have now (NewRSNewReplicas):
 * all_replicas is the sum of spec.replicas over every ReplicaSet. */
long long deploy_new_rs_replicas(const json_t *d, long long all_replicas,
				 long long new_rs_replicas);

/* Share of a proportional scale for one ReplicaSet (GetProportion). rs_max is
 * its max-replicas annotation (<= 0 when absent). */
long long deploy_proportion(long long rs_replicas, long long rs_max, long long d_replicas,
			    long long max_surge, long long d_status_replicas, long long to_add,
			    long long added);

/* Upstream's SetDeploymentCondition on a status object: no-op when type,
 * status and reason are unchanged; keeps lastTransitionTime when only the
 * reason changes. now is RFC 3339. Returns true when status changed. */
bool deploy_condition_set(json_t *status, const char *type, const char *cstatus, const char *reason,
			  const char *message, const char *now);
json_t *deploy_condition_get(const json_t *status, const char *type);
void deploy_condition_remove(json_t *status, const char *type);

#endif
