/* Defaulting and validation of objects as the real API server applies them,
 * per kind. Called by the REST layer on create and update, after decoding and
 * before storing. Field errors are collected as metav1 StatusCause objects:
 *   {"reason":"FieldValueRequired|FieldValueInvalid|FieldValueNotSupported|
 *              FieldValueDuplicate|FieldValueTooLong|FieldValueForbidden",
 *    "message":"Required value" | "Invalid value: \"X\": <why>" | ...,
 *    "field":"spec.containers[0].image"}
 * The REST layer turns a non-empty causes array into a 422 Invalid Status. */
#ifndef APISERVER_ADMISSION_H
#define APISERVER_ADMISSION_H

#include <stdbool.h>
#include <jansson.h>
#include "apiserver/resources.h"

/* Applies the defaults of kind r to obj in place (pod restartPolicy,
 * dnsPolicy, terminationGracePeriodSeconds, schedulerName, container
 * imagePullPolicy from the tag, terminationMessagePath/Policy, ports protocol,
 * Deployment replicas/strategy/revisionHistoryLimit/progressDeadlineSeconds,
 * DaemonSet/StatefulSet updateStrategy, Service type/sessionAffinity/ports
 * protocol+targetPort, Job completions/parallelism/backoffLimit, CronJob
 * concurrencyPolicy/suspend/history limits, Secret type, PVC volumeMode, ...).
 * Also applied to pod templates inside workloads. ClusterIP/NodePort
 * allocation is NOT done here (it needs the store: the REST layer does it). */
void admission_default(const struct resource *r, json_t *obj);

/* DefaultStorageClass admission of a new PersistentVolumeClaim: when the
 * claim names no class (spec.storageClassName absent: an explicit "" means
 * "no class" and stays), it gets the default StorageClass of classes (a JSON
 * array of StorageClass objects; the one annotated
 * storageclass.kubernetes.io/is-default-class: "true", the newest when
 * several are). Returns the class given (borrowed from classes) or NULL. */
const char *admission_default_storage_class(json_t *pvc, const json_t *classes);

/* Validates obj (already defaulted). old is the stored object for an update,
 * NULL on create; immutable fields are checked against it (most of a pod's
 * spec, a Deployment/ReplicaSet/DaemonSet/StatefulSet selector, Job template,
 * Service clusterIP, ConfigMap/Secret when immutable:true, ...). Appends
 * StatusCause objects to causes (a JSON array). Checks metadata too: name
 * required unless generateName, DNS-1123 subdomain (or label, per kind) up to
 * 253 characters, label keys/values and annotation sizes, namespace presence
 * for namespaced kinds. */
void admission_validate(const struct resource *r, const json_t *obj, const json_t *old, json_t *causes);

/* Validates a name as kind r requires; returns NULL if fine or a static message. */
const char *admission_name_error(const struct resource *r, const char *name);

#endif
