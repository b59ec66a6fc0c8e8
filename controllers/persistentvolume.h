/* The PersistentVolume binder's matching rules (pure functions over JSON, so
 * tests/persistentvolume_test.c can pin them down) and the shape of a
 * volume made by the local-path provisioner. The controller itself is
 * controllers/persistentvolume.c. */
#ifndef CONTROLLERS_PERSISTENTVOLUME_H
#define CONTROLLERS_PERSISTENTVOLUME_H

#include <jansson.h>
#include <stdbool.h>

#define PV_LOCAL_PATH_PROVISIONER "rancher.io/local-path"
#define PV_ANN_SELECTED_NODE "volume.kubernetes.io/selected-node"
#define PV_ANN_PROVISIONER "volume.kubernetes.io/storage-provisioner"
#define PV_ANN_PROVISIONED_BY "pv.kubernetes.io/provisioned-by"
#define PV_ANN_BIND_COMPLETED "pv.kubernetes.io/bind-completed"
#define PV_ANN_BOUND_BY_CONTROLLER "pv.kubernetes.io/bound-by-controller"

/* The claim's class: spec.storageClassName, else the beta annotation, else
 * "" (no class). */
const char *pv_claim_class(const json_t *pvc);
/* The volume's class, likewise. */
const char *pv_volume_class(const json_t *pv);

/* Whether pv may serve pvc (upstream findMatchingVolume's checks): same
 * class, same volumeMode, accessModes a superset of the claim's,
 * capacity >= the request, the claim's spec.selector matches the volume's
 * labels, a claimRef (if any) names this claim, phase Available unless so
 * pre-bound, spec.volumeName (if the claim has one) names this volume, and,
 * when node is given (WaitForFirstConsumer), the volume's required node
 * affinity matches node (a Node object). */
bool pv_matches_claim(const json_t *pv, const json_t *pvc, const json_t *node);

/* The best volume for pvc among pvs (a JSON object or array of PVs): one
 * pre-bound to the claim (claimRef or the claim's volumeName), else the
 * smallest that matches. Borrowed; NULL when none. */
const json_t *pv_find_best(const json_t *pvs, const json_t *pvc, const json_t *node);

/* The PersistentVolume the local-path provisioner makes for pvc on node
 * (the node name; hostname its kubernetes.io/hostname label) under
 * storage_dir: "pvc-UID", hostPath STORAGE/pvc-UID_NS_NAME
 * (DirectoryOrCreate), required node affinity on kubernetes.io/hostname,
 * capacity and access modes from the claim, reclaim policy from class,
 * claimRef set. New reference; NULL when the claim has no uid. */
json_t *pv_local_path_volume(const json_t *pvc, const json_t *sc, const char *node,
			     const char *hostname, const char *storage_dir);

#endif
