/* The one generic REST handler: get, list, watch, create, update, patch,
 * delete and deletecollection for every row of the resource table, plus the
 * status/scale/binding/eviction subresources. Objects are JSON from the wire to
 * the store; reads answer with the stored bytes when no transformation is
 * needed. Kind-specific behaviour lives in admission (defaults, validation),
 * table (printing) and the few hooks below (status reset, allocation). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apiserver/admission.h"
#include "apiserver/alloc.h"
#include "apiserver/body.h"
#include "apiserver/internal.h"
#include "apiserver/patch.h"
#include "apiserver/rest_list.h"
#include "apiserver/satoken.h"
#include "apiserver/selector.h"
#include "apiserver/schema.h"
#include "common/buf.h"
#include "common/jsonutil.h"

void rest_key(const struct resource *r, const char *ns, const char *name, char *buf, size_t len)
{
	const char *g = r->group[0] ? r->group : "core";
	if (r->namespaced)
		snprintf(buf, len, "/registry/%s/%s/%s/%s", g, r->plural, ns, name);
	else
		snprintf(buf, len, "/registry/%s/%s/%s", g, r->plural, name);
}

void rest_prefix(const struct resource *r, const char *ns, char *buf, size_t len)
{
	const char *g = r->group[0] ? r->group : "core";
	if (r->namespaced && ns && *ns)
		snprintf(buf, len, "/registry/%s/%s/%s/", g, r->plural, ns);
	else
		snprintf(buf, len, "/registry/%s/%s/", g, r->plural);
}

static void set_resource_version(json_t *obj, int64_t rev)
{
	char rv[24];
	snprintf(rv, sizeof rv, "%lld", (long long)rev);
	json_object_set_new(json_object_ensure(obj, "metadata"), "resourceVersion", json_string(rv));
}

static int64_t object_rv(const json_t *obj)
{
	const char *rv = json_path_str(obj, "metadata.resourceVersion");
	return rv ? strtoll(rv, NULL, 10) : 0;
}

/* Loads and parses the object at key; -ENOENT when absent. */
static int load_object(struct cp *cp, const struct resource *r, const char *ns, const char *name,
		       json_t **out)
{
	char key[768];
	struct store_kv kv = {0};
	rest_key(r, ns, name, key, sizeof key);
	int rc = store_get(cp->store, key, &kv);
	if (rc)
		return rc;
	*out = json_loadb(kv.value, kv.len, 0, NULL);
	store_kv_clear(&kv);
	return *out ? 0 : -EIO;
}

/* Writes obj under its key with resourceVersion set to the new revision;
 * *encoded (optional) receives the stored bytes (caller frees). */
static int store_write(struct cp *cp, const struct resource *r, json_t *obj, int64_t expect_rev, char **encoded)
{
	char key[768];
	rest_key(r, json_path_str(obj, "metadata.namespace") ?: "", json_path_str(obj, "metadata.name") ?: "",
		 key, sizeof key);
	set_resource_version(obj, store_revision(cp->store) + 1);
	char *val = json_encode(obj);
	int rc = expect_rev < 0 ? store_create(cp->store, key, val, strlen(val), NULL)
				: store_update(cp->store, key, val, strlen(val), expect_rev, NULL);
	if (rc == 0 && encoded)
		*encoded = val;
	else
		free(val);
	return rc;
}

int rest_store_update(struct cp *cp, const struct resource *r, json_t *obj, int64_t expect_rev)
{
	return store_write(cp, r, obj, expect_rev, NULL);
}

int rest_store_delete(struct cp *cp, const struct resource *r, const char *ns, const char *name)
{
	char key[768];
	rest_key(r, ns, name, key, sizeof key);
	return store_delete(cp->store, key, 0, NULL, NULL);
}

static void respond_store_error(struct api_req *rq, int rc, const char *name)
{
	char q[128], msg[512];
	resource_qualified(rq->res, q, sizeof q);
	switch (rc) {
	case -ENOENT:
		api_not_found(rq, name);
		return;
	case -EEXIST:
		snprintf(msg, sizeof msg, "%s \"%s\" already exists", q, name);
		api_status_error(rq->http, 409, "AlreadyExists", msg, api_details(rq->res, name));
		return;
	case -ECANCELED:
		snprintf(msg, sizeof msg,
			 "Operation cannot be fulfilled on %s \"%s\": the object has been modified; please "
			 "apply your changes to the latest version and try again",
			 q, name);
		api_status_error(rq->http, 409, "Conflict", msg, api_details(rq->res, name));
		return;
	case -ERANGE:
		api_status_error(rq->http, 410, "Expired", "too old resource version", NULL);
		return;
	case -E2BIG:
		api_status_error(rq->http, 413, "RequestEntityTooLarge", "the object is too large to store", NULL);
		return;
	case -EINVAL:
		api_bad_request(rq->http, "invalid request: %s", store_last_error(rq->cp->store));
		return;
	default:
		snprintf(msg, sizeof msg, "Internal error occurred: %s", store_last_error(rq->cp->store));
		api_status_error(rq->http, 500, "InternalError", msg, NULL);
	}
}

/* dryRun must be absent or "All". Returns -1 after answering 400. */
static int query_dry_run(struct api_req *rq)
{
	char *v = http_query_get(rq->query, "dryRun");
	int rc = 0;
	if (v && *v) {
		if (strcmp(v, "All")) {
			api_bad_request(rq->http, "Invalid dry run value: \"%s\"; supported values: \"All\"", v);
			rc = -1;
		} else {
			rc = 1;
		}
	}
	free(v);
	return rc;
}

enum field_validation { FV_IGNORE, FV_WARN, FV_STRICT };

static int query_field_validation(struct api_req *rq, enum field_validation *out)
{
	char *v = http_query_get(rq->query, "fieldValidation");
	*out = FV_WARN; /* upstream default */
	int rc = 0;
	if (v && *v) {
		if (!strcmp(v, "Strict"))
			*out = FV_STRICT;
		else if (!strcmp(v, "Warn"))
			*out = FV_WARN;
		else if (!strcmp(v, "Ignore"))
			*out = FV_IGNORE;
		else {
			api_bad_request(rq->http,
					"fieldValidation: Invalid value: \"%s\": must be one of Ignore, Warn, Strict", v);
			rc = -1;
		}
	}
	free(v);
	return rc;
}

/* ---- decoding and checking the object in a request body ---- */

static json_t *request_object(struct api_req *rq, bool strict)
{
	size_t len;
	const char *data = http_req_body(rq->http, &len);
	enum body_type t = body_type_of(http_req_header(rq->http, "content-type"));
	char err[512];
	if (t == BODY_UNSUPPORTED || t == BODY_JSON_PATCH || t == BODY_MERGE_PATCH ||
	    t == BODY_STRATEGIC_PATCH || t == BODY_APPLY_PATCH) {
		api_status_error(rq->http, 415, "UnsupportedMediaType",
				 "the body of the request was in an unknown format - accepted media types "
				 "include: application/json, application/yaml, application/vnd.kubernetes.protobuf",
				 NULL);
		return NULL;
	}
	json_t *obj = body_decode(t, data, len, strict, err, sizeof err);
	if (!obj) {
		char msg[700];
		snprintf(msg, sizeof msg, "%s in version \"%s\" cannot be handled as a %s: %s", rq->res->kind,
			 rq->res->version, rq->res->kind, err);
		api_bad_request(rq->http, "%s", msg);
		return NULL;
	}
	if (!json_is_object(obj)) {
		json_decref(obj);
		api_bad_request(rq->http, "%s in version \"%s\" cannot be handled as a %s: the body is not an object",
				rq->res->kind, rq->res->version, rq->res->kind);
		return NULL;
	}
	return obj;
}

/* apiVersion/kind must match the URL (filled in when absent); so must the
 * namespace. Answers 400 and returns -1 on mismatch. */
static int check_type_and_namespace(struct api_req *rq, json_t *obj, const struct resource *r)
{
	char gv[96];
	resource_api_version(r, gv, sizeof gv);
	const char *av = json_string_value(json_object_get(obj, "apiVersion"));
	const char *kind = json_string_value(json_object_get(obj, "kind"));
	if (av && *av && strcmp(av, gv)) {
		api_bad_request(rq->http, "the API version in the data (%s) does not match the expected API version (%s)",
				av, gv);
		return -1;
	}
	if (kind && *kind && strcmp(kind, r->kind)) {
		api_bad_request(rq->http, "the kind in the data (%s) does not match the expected kind (%s)", kind,
				r->kind);
		return -1;
	}
	json_object_set_new(obj, "apiVersion", json_string(gv));
	json_object_set_new(obj, "kind", json_string(r->kind));
	json_t *meta = json_object_get(obj, "metadata");
	if (meta && !json_is_object(meta)) {
		api_bad_request(rq->http, "metadata must be an object");
		return -1;
	}
	meta = json_object_ensure(obj, "metadata");
	if (r->namespaced) {
		const char *ns = json_string_value(json_object_get(meta, "namespace"));
		if (ns && *ns && strcmp(ns, rq->ns)) {
			api_bad_request(rq->http,
					"the namespace of the provided object does not match the namespace sent on the request");
			return -1;
		}
		json_object_set_new(meta, "namespace", json_string(rq->ns));
	} else {
		json_object_del(meta, "namespace");
	}
	return 0;
}

void api_new_uid(char out[37])
{
	char hex[33];
	pki_random_hex(hex, 16);
	hex[12] = '4';
	hex[16] = "89ab"[hex[16] % 4];
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static void generate_name(json_t *meta)
{
	const char *gen = json_string_value(json_object_get(meta, "generateName"));
	const char *name = json_string_value(json_object_get(meta, "name"));
	if (!gen || (name && *name))
		return;
	static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
	char hex[11], full[300];
	pki_random_hex(hex, 5);
	char suffix[6];
	for (int i = 0; i < 5; i++)
		suffix[i] = alphabet[(unsigned char)hex[i * 2] * 7 % (sizeof alphabet - 1)];
	suffix[5] = 0;
	snprintf(full, sizeof full, "%.58s%s", gen, suffix);
	json_object_set_new(meta, "name", json_string(full));
}

/* Status as a freshly created object has it. */
static void reset_status_for_create(const struct resource *r, json_t *obj)
{
	if (!(r->subresources & SUB_STATUS) || !strcmp(r->kind, "Node"))
		return;
	json_t *st = json_object();
	if (!strcmp(r->kind, "Pod"))
		json_object_set_new(st, "phase", json_string("Pending"));
	else if (!strcmp(r->kind, "Namespace"))
		json_object_set_new(st, "phase", json_string("Active"));
	else if (!strcmp(r->kind, "PersistentVolumeClaim") || !strcmp(r->kind, "PersistentVolume"))
		json_object_set_new(st, "phase", json_string("Pending"));
	else if (!strcmp(r->kind, "Service"))
		json_object_set_new(st, "loadBalancer", json_object());
	json_object_set_new(obj, "status", st);
}

static void stamp_new_object(const struct resource *r, json_t *obj)
{
	json_t *meta = json_object_get(obj, "metadata");
	char uid[37], now[32];
	api_new_uid(uid);
	time_rfc3339(now);
	json_object_set_new(meta, "uid", json_string(uid));
	json_object_set_new(meta, "creationTimestamp", json_string(now));
	json_object_del(meta, "deletionTimestamp");
	json_object_del(meta, "deletionGracePeriodSeconds");
	json_object_del(meta, "resourceVersion");
	json_object_del(meta, "managedFields");
	json_object_del(meta, "selfLink");
	if (r->has_generation)
		json_object_set_new(meta, "generation", json_integer(1));
	else
		json_object_del(meta, "generation");
	reset_status_for_create(r, obj);
}

/* Defaults, kind-specific admission and validation shared by create and
 * update. Answers and returns -1 when the object is refused. */
static int admit(struct api_req *rq, const struct resource *r, json_t *obj, const json_t *old,
		 enum field_validation fv, char **warning)
{
	json_t *unknown = json_array();
	schema_unknown_fields(r, obj, unknown, true); /* upstream prunes them in every mode */
	if (json_array_size(unknown) && fv == FV_STRICT) {
		char msg[1024];
		int n = snprintf(msg, sizeof msg, "%s in version \"%s\" cannot be handled as a %s: strict decoding error: ",
				 r->kind, r->version, r->kind);
		size_t i;
		json_t *f;
		json_array_foreach(unknown, i, f) {
			if (n < (int)sizeof msg)
				n += snprintf(msg + n, sizeof msg - n, "%sunknown field \"%s\"", i ? ", " : "",
					      json_string_value(f));
		}
		json_decref(unknown);
		api_bad_request(rq->http, "%s", msg);
		return -1;
	}
	if (json_array_size(unknown) && fv == FV_WARN && warning) {
		char msg[512];
		snprintf(msg, sizeof msg, "unknown field \\\"%s\\\"", json_string_value(json_array_get(unknown, 0)));
		*warning = strdup(msg);
	}
	json_decref(unknown);
	admission_default(r, obj);
	json_t *causes = json_array();
	if (!old && !r->group[0] && !strcmp(r->plural, "pods") && satoken_admit_pod(rq, obj)) {
		json_decref(causes);
		return -1; /* answered: the ServiceAccount does not exist */
	}
	if (alloc_admit(rq->cp, r, obj, old, causes) == 0)
		admission_validate(r, obj, old, causes);
	if (json_array_size(causes)) {
		api_invalid(rq, json_path_str(obj, "metadata.name") ?: "", causes);
		return -1;
	}
	json_decref(causes);
	return 0;
}

static bool namespace_usable(struct api_req *rq, const struct resource *r)
{
	if (!r->namespaced)
		return true;
	const struct resource *nsr = resource_find("", "v1", "namespaces");
	char key[512];
	struct store_kv kv = {0};
	rest_key(nsr, "", rq->ns, key, sizeof key);
	if (store_get(rq->cp->store, key, &kv) != 0) {
		char msg[400];
		snprintf(msg, sizeof msg, "namespaces \"%s\" not found", rq->ns);
		api_status_error(rq->http, 404, "NotFound", msg, api_details(nsr, rq->ns));
		return false;
	}
	/* Parsing is needed only for a namespace that is being deleted. */
	bool terminating = false;
	if (strstr(kv.value, "\"deletionTimestamp\"")) {
		json_t *ns = json_loadb(kv.value, kv.len, 0, NULL);
		terminating = json_path(ns, "metadata.deletionTimestamp") != NULL;
		json_decref(ns);
	}
	store_kv_clear(&kv);
	if (terminating) {
		char msg[600];
		snprintf(msg, sizeof msg,
			 "%s \"%s\" is forbidden: unable to create new content in namespace %s because it is being terminated",
			 r->plural, rq->name, rq->ns);
		api_status_error(rq->http, 403, "Forbidden", msg, api_details(r, rq->name));
		return false;
	}
	return true;
}

static json_t *scale_of(const struct resource *r, const json_t *obj);

static void respond_write(struct api_req *rq, int code, json_t *obj, char *warning)
{
	json_t *view = rq->scale_view ? scale_of(rq->res, obj) : json_incref(obj);
	api_respond_json_warn(rq->http, code, view, warning);
	json_decref(view);
	free(warning);
}

/* Writes obj (create when old is NULL) unless dry-run, then answers. */
static void commit_object(struct api_req *rq, const struct resource *r, json_t *obj, const json_t *old,
			  int64_t old_rev, bool dry_run, char *warning)
{
	const char *name = json_path_str(obj, "metadata.name") ?: "";
	if (old && json_equal(obj, (json_t *)old)) { /* no-op updates do not bump the revision */
		respond_write(rq, 200, obj, warning);
		return;
	}
	if (dry_run) {
		respond_write(rq, old ? 200 : 201, obj, warning);
		return;
	}
	char *stored = NULL;
	int rc = store_write(rq->cp, r, obj, old ? old_rev : -1, &stored);
	if (rc) {
		free(warning);
		respond_store_error(rq, rc, name);
		return;
	}
	if (rq->scale_view || warning) {
		respond_write(rq, old ? 200 : 201, obj, warning);
	} else { /* answer with the bytes just stored: no second encoding */
		http_respond(rq->http, old ? 200 : 201, NULL, 0, "application/json", stored, strlen(stored));
	}
	free(stored);
}

/* Creates obj (stolen) as the request's resource. */
static void create_object(struct api_req *rq, json_t *obj, enum field_validation fv, bool dry)
{
	const struct resource *r = rq->res;
	char *warning = NULL;
	if (check_type_and_namespace(rq, obj, r))
		goto out;
	json_t *meta = json_object_get(obj, "metadata");
	if (json_path_str(obj, "metadata.resourceVersion")) {
		api_bad_request(rq->http, "resourceVersion should not be set on objects to be created");
		goto out;
	}
	generate_name(meta);
	const char *name = json_string_value(json_object_get(meta, "name"));
	snprintf(rq->name, sizeof rq->name, "%s", name ? name : "");
	if (!namespace_usable(rq, r))
		goto out;
	stamp_new_object(r, obj);
	if (admit(rq, r, obj, NULL, fv, &warning))
		goto out;
	commit_object(rq, r, obj, NULL, 0, dry, warning);
	warning = NULL;
out:
	free(warning);
	json_decref(obj);
}

static void handle_create(struct api_req *rq)
{
	enum field_validation fv;
	int dry = query_dry_run(rq);
	if (dry < 0 || query_field_validation(rq, &fv))
		return;
	json_t *obj = request_object(rq, fv == FV_STRICT);
	if (obj)
		create_object(rq, obj, fv, dry == 1);
}

/* Server-side apply of an object that does not exist yet: a create. */
static void handle_apply_create(struct api_req *rq, json_t *applied, enum field_validation fv, bool dry)
{
	const char *name = json_path_str(applied, "metadata.name");
	if (name && strcmp(name, rq->name)) {
		api_bad_request(rq->http, "the name of the object (%s) does not match the name on the URL (%s)", name,
				rq->name);
		json_decref(applied);
		return;
	}
	create_object(rq, applied, fv, dry);
}

static bool spec_changed(const json_t *a, const json_t *b)
{
	/* Everything but metadata and status counts as spec (ConfigMap data too). */
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)a, k, v) {
		if (!strcmp(k, "metadata") || !strcmp(k, "status"))
			continue;
		if (!json_equal(v, json_object_get(b, k)))
			return true;
	}
	json_object_foreach((json_t *)b, k, v) {
		if (strcmp(k, "metadata") && strcmp(k, "status") && !json_object_get(a, k))
			return true;
	}
	return false;
}

/* Carries what a client may not change from old to obj (identity, status on
 * the main resource, spec on /status) and bumps generation. */
static void carry_over(const struct resource *r, const char *sub, json_t *obj, const json_t *old)
{
	json_t *meta = json_object_ensure(obj, "metadata");
	json_t *ometa = json_object_get(old, "metadata");
	static const char *const keep[] = {"uid", "creationTimestamp", "deletionTimestamp",
					   "deletionGracePeriodSeconds", "generation", "namespace", "name"};
	for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
		json_t *v = json_object_get(ometa, keep[i]);
		if (v)
			json_object_set(meta, keep[i], v);
		else
			json_object_del(meta, keep[i]);
	}
	json_object_del(meta, "managedFields");
	json_object_set(meta, "resourceVersion", json_object_get(ometa, "resourceVersion"));
	if (!strcmp(sub, "status")) {
		/* Only status changes through /status. */
		json_t *status = json_incref(json_object_get(obj, "status"));
		json_object_clear(obj);
		json_object_update(obj, (json_t *)old);
		if (status)
			json_object_set_new(obj, "status", status);
		else
			json_object_del(obj, "status");
		return;
	}
	if (r->subresources & SUB_STATUS) {
		json_t *st = json_object_get(old, "status");
		if (st)
			json_object_set(obj, "status", st);
		else
			json_object_del(obj, "status");
	}
	if (r->has_generation && spec_changed(obj, old)) {
		json_int_t g = json_integer_value(json_object_get(ometa, "generation"));
		json_object_set_new(meta, "generation", json_integer(g + 1));
	}
}

/* Finalization completes when a terminating object loses its last finalizer. */
static bool finalized(const json_t *obj)
{
	return json_path(obj, "metadata.deletionTimestamp") &&
	       json_array_size(json_path(obj, "metadata.finalizers")) == 0;
}

/* Common tail of PUT and PATCH: obj is the full new object. */
static void update_object(struct api_req *rq, json_t *obj, json_t *old, enum field_validation fv, bool dry)
{
	const struct resource *r = rq->res;
	char *warning = NULL;
	int64_t old_rev = object_rv(old);
	const char *rv = json_path_str(obj, "metadata.resourceVersion");
	if (rv && *rv && strtoll(rv, NULL, 10) != old_rev) {
		respond_store_error(rq, -ECANCELED, rq->name);
		return;
	}
	const char *uid = json_path_str(obj, "metadata.uid");
	const char *ouid = json_path_str(old, "metadata.uid");
	if (uid && *uid && ouid && strcmp(uid, ouid)) {
		char msg[300];
		snprintf(msg, sizeof msg, "Precondition failed: UID in precondition: %s, UID in object meta: %s", uid, ouid);
		api_status_error(rq->http, 409, "Conflict", msg, api_details(r, rq->name));
		return;
	}
	carry_over(r, rq->sub, obj, old);
	if (admit(rq, r, obj, old, fv, &warning))
		return;
	if (finalized(obj) && !dry) {
		free(warning);
		int rc = rest_store_delete(rq->cp, r, rq->ns, rq->name);
		if (rc)
			respond_store_error(rq, rc, rq->name);
		else
			api_respond_json(rq->http, 200, obj);
		return;
	}
	commit_object(rq, r, obj, old, old_rev, dry, warning);
}

/* ---- scale subresource: autoscaling/v1 Scale views of spec.replicas ---- */

static json_t *scale_of(const struct resource *r, const json_t *obj)
{
	json_t *meta = json_object_get(obj, "metadata");
	json_t *sm = json_object();
	static const char *const keys[] = {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (json_object_get(meta, keys[i]))
			json_object_set(sm, keys[i], json_object_get(meta, keys[i]));
	json_int_t want = json_integer_value(json_path(obj, "spec.replicas"));
	json_int_t have = json_integer_value(json_path(obj, "status.replicas"));
	json_t *s = json_pack("{s:s,s:s,s:o,s:{s:I},s:{s:I}}", "kind", "Scale", "apiVersion", "autoscaling/v1",
			      "metadata", sm, "spec", "replicas", (json_int_t)want, "status", "replicas",
			      (json_int_t)have);
	char err[128], sel[1024];
	struct selector *ls = label_selector_from_json(json_path(obj, "spec.selector"), err, sizeof err);
	if (ls && label_selector_string(ls, sel, sizeof sel) && *sel)
		json_object_set_new(json_object_get(s, "status"), "selector", json_string(sel));
	selector_free(ls);
	(void)r;
	return s;
}

/* ---- verbs ---- */

static void handle_get(struct api_req *rq)
{
	char key[768];
	rest_key(rq->res, rq->ns, rq->name, key, sizeof key);
	struct store_kv kv = {0};
	int rc = store_get(rq->cp->store, key, &kv);
	if (rc) {
		respond_store_error(rq, rc, rq->name);
		return;
	}
	if (!strcmp(rq->sub, "scale")) {
		json_t *obj = json_loadb(kv.value, kv.len, 0, NULL);
		json_t *s = scale_of(rq->res, obj);
		api_respond_json(rq->http, 200, s);
		json_decref(s);
		json_decref(obj);
	} else if (rest_accepts_table(rq->http)) {
		json_t *items = json_array();
		json_array_append_new(items, json_loadb(kv.value, kv.len, 0, NULL));
		char *io = http_query_get(rq->query, "includeObject");
		json_t *t = rest_table(rq->res, items, io && !strcmp(io, "Object"),
				       json_path_str(json_array_get(items, 0), "metadata.resourceVersion"), NULL);
		free(io);
		char *body = json_encode(t);
		http_respond(rq->http, 200, NULL, 0, "application/json;as=Table;v=v1;g=meta.k8s.io", body, strlen(body));
		free(body);
		json_decref(t);
		json_decref(items);
	} else {
		http_respond(rq->http, 200, NULL, 0, "application/json", kv.value, kv.len);
	}
	store_kv_clear(&kv);
}

static void handle_put(struct api_req *rq)
{
	enum field_validation fv;
	int dry = query_dry_run(rq);
	if (dry < 0 || query_field_validation(rq, &fv))
		return;
	json_t *obj = request_object(rq, fv == FV_STRICT);
	if (!obj)
		return;
	json_t *old = NULL;
	if (!strcmp(rq->sub, "scale")) {
		json_int_t replicas = json_integer_value(json_path(obj, "spec.replicas"));
		json_decref(obj);
		int rc = load_object(rq->cp, rq->res, rq->ns, rq->name, &old);
		if (rc) {
			respond_store_error(rq, rc, rq->name);
			return;
		}
		obj = json_deep_copy(old);
		json_object_set_new(json_object_ensure(obj, "spec"), "replicas", json_integer(replicas));
		snprintf(rq->sub, sizeof rq->sub, "%s", "");
		rq->scale_view = true;
	} else {
		if (check_type_and_namespace(rq, obj, rq->res))
			goto out;
		const char *name = json_path_str(obj, "metadata.name");
		if (!name || strcmp(name, rq->name)) {
			api_bad_request(rq->http, "the name of the object (%s) does not match the name on the URL (%s)",
					name ? name : "", rq->name);
			goto out;
		}
		int rc = load_object(rq->cp, rq->res, rq->ns, rq->name, &old);
		if (rc) {
			respond_store_error(rq, rc, rq->name);
			goto out;
		}
	}
	update_object(rq, obj, old, fv, dry == 1);
out:
	json_decref(obj);
	json_decref(old);
}

static json_t *apply_patch(struct api_req *rq, enum body_type t, json_t *target, json_t *patch, char *err,
			   size_t errlen)
{
	switch (t) {
	case BODY_JSON_PATCH:
		return patch_json(target, patch, err, errlen);
	case BODY_MERGE_PATCH:
		return patch_merge(target, patch, err, errlen);
	case BODY_STRATEGIC_PATCH:
		return patch_strategic(rq->res->group, rq->res->kind, target, patch, err, errlen);
	case BODY_APPLY_PATCH:
		/* Server-side apply without field ownership: merge the applied
		 * configuration into the live object (see notes in README). */
		return patch_strategic(rq->res->group, rq->res->kind, target, patch, err, errlen);
	default:
		snprintf(err, errlen, "unsupported patch type");
		return NULL;
	}
}

static void handle_patch(struct api_req *rq)
{
	enum field_validation fv;
	int dry = query_dry_run(rq);
	if (dry < 0 || query_field_validation(rq, &fv))
		return;
	enum body_type t = body_type_of(http_req_header(rq->http, "content-type"));
	if (t != BODY_JSON_PATCH && t != BODY_MERGE_PATCH && t != BODY_STRATEGIC_PATCH && t != BODY_APPLY_PATCH) {
		api_status_error(rq->http, 415, "UnsupportedMediaType",
				 "the body of the request was in an unknown format - accepted media types include: "
				 "application/json-patch+json, application/merge-patch+json, "
				 "application/apply-patch+yaml, application/strategic-merge-patch+json",
				 NULL);
		return;
	}
	char *fm = http_query_get(rq->query, "fieldManager");
	bool missing_manager = t == BODY_APPLY_PATCH && (!fm || !*fm);
	free(fm);
	if (missing_manager) {
		json_t *causes = json_pack("[{s:s,s:s,s:s}]", "reason", "FieldValueRequired", "message",
					   "Required value: is required for apply patch", "field", "fieldManager");
		api_status_error(rq->http, 422, "Invalid",
				 "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
				 json_pack("{s:s,s:s,s:o}", "group", "meta.k8s.io", "kind", "PatchOptions", "causes", causes));
		return;
	}
	size_t len;
	const char *data = http_req_body(rq->http, &len);
	char err[512];
	json_t *patch = body_decode(t, data, len, false, err, sizeof err);
	if (!patch) {
		api_bad_request(rq->http, "error decoding patch: %s", err);
		return;
	}
	json_t *old = NULL, *target = NULL, *obj = NULL;
	int rc = load_object(rq->cp, rq->res, rq->ns, rq->name, &old);
	if (rc == -ENOENT && t == BODY_APPLY_PATCH && !rq->sub[0]) {
		/* Server-side apply creates. */
		handle_apply_create(rq, patch, fv, dry == 1);
		return;
	}
	if (rc) {
		respond_store_error(rq, rc, rq->name);
		goto out;
	}
	bool scale = !strcmp(rq->sub, "scale");
	target = scale ? scale_of(rq->res, old) : json_incref(old);
	obj = apply_patch(rq, t, target, patch, err, sizeof err);
	if (!obj) {
		api_status_error(rq->http, 422, "Invalid", err, NULL);
		goto out;
	}
	if (!json_is_object(obj)) {
		api_bad_request(rq->http, "the patched object is not an object");
		goto out;
	}
	if (scale) {
		json_t *full = json_deep_copy(old);
		json_object_set(json_object_ensure(full, "spec"), "replicas", json_path(obj, "spec.replicas"));
		json_decref(obj);
		obj = full;
		rq->sub[0] = 0;
		rq->scale_view = true;
	}
	if (check_type_and_namespace(rq, obj, rq->res) == 0)
		update_object(rq, obj, old, fv, dry == 1);
out:
	json_decref(patch);
	json_decref(old);
	json_decref(target);
	json_decref(obj);
}

/* ---- delete ---- */

struct delete_opts {
	long long grace; /* -1 = the object's default */
	char propagation[16];
	char uid[64];
	char rv[32];
	bool dry;
};

static int check_propagation(struct api_req *rq, const struct delete_opts *o)
{
	static const char *const ok[] = {"", "Foreground", "Background", "Orphan"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (!strcmp(o->propagation, ok[i]))
			return 0;
	char msg[200];
	snprintf(msg, sizeof msg,
		 "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"%s\": supported "
		 "values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"",
		 o->propagation);
	api_status_error(rq->http, 422, "Invalid", msg, NULL);
	return -1;
}

/* DeleteOptions arrive in the body (kubectl, python) or the query. */
static int delete_options(struct api_req *rq, struct delete_opts *o)
{
	memset(o, 0, sizeof *o);
	o->grace = -1;
	int dry = query_dry_run(rq);
	if (dry < 0)
		return -1;
	o->dry = dry == 1;
	char *g = http_query_get(rq->query, "gracePeriodSeconds");
	if (g && *g)
		o->grace = strtoll(g, NULL, 10);
	free(g);
	char *p = http_query_get(rq->query, "propagationPolicy");
	if (p)
		snprintf(o->propagation, sizeof o->propagation, "%s", p);
	free(p);
	size_t len;
	const char *data = http_req_body(rq->http, &len);
	if (len == 0)
		return check_propagation(rq, o);
	char err[256];
	json_t *opts = body_decode(body_type_of(http_req_header(rq->http, "content-type")), data, len, false, err,
				   sizeof err);
	if (!opts || !json_is_object(opts)) {
		json_decref(opts);
		api_bad_request(rq->http, "invalid DeleteOptions: %s", opts ? "not an object" : err);
		return -1;
	}
	json_t *v;
	if (json_is_integer(v = json_object_get(opts, "gracePeriodSeconds")))
		o->grace = json_integer_value(v);
	if (json_is_boolean(v = json_object_get(opts, "orphanDependents"))) /* deprecated form */
		snprintf(o->propagation, sizeof o->propagation, "%s", json_is_true(v) ? "Orphan" : "Background");
	if (json_is_string(v = json_object_get(opts, "propagationPolicy")))
		snprintf(o->propagation, sizeof o->propagation, "%.15s", json_string_value(v));
	if (json_is_string(v = json_path(opts, "preconditions.uid")))
		snprintf(o->uid, sizeof o->uid, "%s", json_string_value(v));
	if (json_is_string(v = json_path(opts, "preconditions.resourceVersion")))
		snprintf(o->rv, sizeof o->rv, "%s", json_string_value(v));
	json_t *dr = json_object_get(opts, "dryRun");
	if (json_array_size(dr) && !strcmp(json_string_value(json_array_get(dr, 0)) ?: "", "All"))
		o->dry = true;
	json_decref(opts);
	return check_propagation(rq, o);
}

/* The finalizers a propagation policy asks for: the garbage collector
 * deletes (Foreground) or releases (Orphan) the dependents, then removes
 * them; Background drops both. Returns true when obj changed. */
static bool propagation_finalizers(json_t *obj, const char *policy)
{
	const char *add = !strcmp(policy, "Foreground") ? "foregroundDeletion" : !strcmp(policy, "Orphan") ? "orphan" : NULL;
	if (!*policy)
		return false;
	json_t *fins = json_object_get(json_object_get(obj, "metadata"), "finalizers");
	json_t *keep = json_array();
	bool changed = false, present = false;
	size_t i;
	json_t *f;
	json_array_foreach(fins, i, f) {
		const char *name = json_string_value(f) ?: "";
		bool ours = !strcmp(name, "foregroundDeletion") || !strcmp(name, "orphan");
		if (add && !strcmp(name, add))
			present = true;
		if (ours && !(add && !strcmp(name, add)))
			changed = true;
		else
			json_array_append(keep, f);
	}
	if (add && !present) {
		json_array_append_new(keep, json_string(add));
		changed = true;
	}
	if (changed) {
		if (json_array_size(keep))
			json_object_set(json_object_get(obj, "metadata"), "finalizers", keep);
		else
			json_object_del(json_object_get(obj, "metadata"), "finalizers");
	}
	json_decref(keep);
	return changed;
}

/* A pod bound to an existing node is deleted gracefully: the node's agent
 * stops it and then removes the object. Pods on no (or a vanished) node go at
 * once, as the pod garbage collector would do. */
static long long graceful_seconds(struct cp *cp, const struct resource *r, const json_t *obj,
				  const struct delete_opts *o)
{
	if (strcmp(r->kind, "Pod"))
		return 0;
	const char *node = json_path_str(obj, "spec.nodeName");
	if (!node || !*node || o->grace == 0)
		return 0;
	json_t *n = NULL;
	if (load_object(cp, resource_find("", "v1", "nodes"), "", node, &n) != 0)
		return 0;
	json_decref(n);
	if (json_path_str(obj, "status.phase") &&
	    (!strcmp(json_path_str(obj, "status.phase"), "Succeeded") ||
	     !strcmp(json_path_str(obj, "status.phase"), "Failed")))
		return 0;
	if (o->grace > 0)
		return o->grace;
	json_t *t = json_path(obj, "spec.terminationGracePeriodSeconds");
	return json_is_integer(t) ? json_integer_value(t) : 30;
}

/* Deletes one object (already loaded as old). Returns the object to answer
 * with (new reference) or NULL after answering an error. */
static json_t *delete_object(struct api_req *rq, const struct resource *r, json_t *old,
			     const struct delete_opts *o)
{
	const char *name = json_path_str(old, "metadata.name") ?: "";
	const char *ouid = json_path_str(old, "metadata.uid") ?: "";
	if (o->uid[0] && strcmp(o->uid, ouid)) {
		char msg[300];
		snprintf(msg, sizeof msg, "Precondition failed: UID in precondition: %s, UID in object meta: %s", o->uid,
			 ouid);
		api_status_error(rq->http, 409, "Conflict", msg, api_details(r, name));
		return NULL;
	}
	if (o->rv[0] && strtoll(o->rv, NULL, 10) != object_rv(old)) {
		char msg[300];
		snprintf(msg, sizeof msg,
			 "Precondition failed: ResourceVersion in precondition: %s, ResourceVersion in object meta: %s",
			 o->rv, json_path_str(old, "metadata.resourceVersion"));
		api_status_error(rq->http, 409, "Conflict", msg, api_details(r, name));
		return NULL;
	}
	bool is_ns = !strcmp(r->kind, "Namespace");
	long long grace = graceful_seconds(rq->cp, r, old, o);
	json_t *obj = json_deep_copy(old);
	if (!is_ns)
		propagation_finalizers(obj, o->propagation);
	bool has_finalizers = json_array_size(json_path(obj, "metadata.finalizers")) > 0;
	if (!is_ns && !has_finalizers && grace == 0) {
		if (!o->dry) {
			char key[768];
			int64_t rev;
			rest_key(r, json_path_str(old, "metadata.namespace") ?: "", name, key, sizeof key);
			int rc = store_delete(rq->cp->store, key, object_rv(old), &rev, NULL);
			if (rc) {
				json_decref(obj);
				respond_store_error(rq, rc, name);
				return NULL;
			}
			set_resource_version(obj, rev);
		}
		return obj;
	}
	json_t *meta = json_object_get(obj, "metadata");
	if (!json_object_get(meta, "deletionTimestamp")) {
		char ts[32];
		time_t when = time(NULL) + grace;
		struct tm tm;
		gmtime_r(&when, &tm);
		strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_object_set_new(meta, "deletionTimestamp", json_string(ts));
		json_object_set_new(meta, "deletionGracePeriodSeconds", json_integer(grace));
	}
	if (is_ns)
		json_object_set_new(json_object_ensure(obj, "status"), "phase", json_string("Terminating"));
	if (!o->dry && !json_equal(obj, old)) {
		int rc = rest_store_update(rq->cp, r, obj, object_rv(old));
		if (rc) {
			json_decref(obj);
			respond_store_error(rq, rc, name);
			return NULL;
		}
		if (is_ns)
			rq->cp->ns_pending = true; /* finished by the maintenance timer */
	}
	return obj;
}

static void handle_delete(struct api_req *rq)
{
	struct delete_opts o;
	if (delete_options(rq, &o))
		return;
	json_t *old = NULL;
	int rc = load_object(rq->cp, rq->res, rq->ns, rq->name, &old);
	if (rc) {
		respond_store_error(rq, rc, rq->name);
		return;
	}
	json_t *obj = delete_object(rq, rq->res, old, &o);
	if (obj)
		api_respond_json(rq->http, 200, obj);
	json_decref(obj);
	json_decref(old);
}

static void handle_delete_collection(struct api_req *rq)
{
	struct delete_opts o;
	if (delete_options(rq, &o))
		return;
	json_t *items = NULL;
	if (rest_list_matching(rq, &items))
		return;
	size_t i;
	json_t *it;
	json_t *deleted = json_array();
	json_array_foreach(items, i, it) {
		json_t *obj = delete_object(rq, rq->res, it, &o);
		if (!obj) { /* an error was answered */
			json_decref(deleted);
			json_decref(items);
			return;
		}
		json_array_append_new(deleted, obj);
	}
	char av[96];
	json_t *list = json_pack("{s:s,s:s,s:{s:s},s:o}", "kind", rq->res->list_kind, "apiVersion",
				 resource_api_version(rq->res, av, sizeof av), "metadata", "resourceVersion", "",
				 "items", deleted);
	char rv[24];
	snprintf(rv, sizeof rv, "%lld", (long long)store_revision(rq->cp->store));
	json_object_set_new(json_object_get(list, "metadata"), "resourceVersion", json_string(rv));
	api_respond_json(rq->http, 200, list);
	json_decref(list);
	json_decref(items);
}

/* ---- pods/binding and pods/eviction ---- */

static void respond_success(struct http_req *h, int code)
{
	json_t *st = json_pack("{s:s,s:s,s:{},s:s,s:i}", "kind", "Status", "apiVersion", "v1", "metadata", "status",
			       "Success", "code", code);
	api_respond_json(h, code, st);
	json_decref(st);
}

static void handle_binding(struct api_req *rq)
{
	size_t len;
	const char *data = http_req_body(rq->http, &len);
	char err[256];
	json_t *b = body_decode(body_type_of(http_req_header(rq->http, "content-type")), data, len, false, err,
				sizeof err);
	const char *node = json_path_str(b, "target.name");
	if (!node || !*node) {
		json_decref(b);
		api_bad_request(rq->http, "Binding target.name is required%s%s", b ? "" : ": ", b ? "" : err);
		return;
	}
	json_t *pod = NULL;
	int rc = load_object(rq->cp, rq->res, rq->ns, rq->name, &pod);
	if (rc) {
		json_decref(b);
		respond_store_error(rq, rc, rq->name);
		return;
	}
	const char *cur = json_path_str(pod, "spec.nodeName");
	if (cur && *cur) {
		char msg[600];
		snprintf(msg, sizeof msg, "Operation cannot be fulfilled on pods/binding \"%s\": pod %s is already assigned to node \"%s\"",
			 rq->name, rq->name, cur);
		api_status_error(rq->http, 409, "Conflict", msg, api_details(rq->res, rq->name));
	} else {
		json_object_set_new(json_object_ensure(pod, "spec"), "nodeName", json_string(node));
		char now[32];
		time_rfc3339(now);
		json_t *conds = json_object_get(json_object_ensure(pod, "status"), "conditions");
		if (!json_is_array(conds)) {
			conds = json_array();
			json_object_set_new(json_object_get(pod, "status"), "conditions", conds);
		}
		for (size_t i = json_array_size(conds); i-- > 0;) /* an Unschedulable one goes */
			if (!strcmp(json_path_str(json_array_get(conds, i), "type") ?: "", "PodScheduled"))
				json_array_remove(conds, i);
		json_array_append_new(conds, json_pack("{s:s,s:s,s:n,s:s}", "type", "PodScheduled", "status", "True",
						       "lastProbeTime", "lastTransitionTime", now));
		rc = rest_store_update(rq->cp, rq->res, pod, object_rv(pod));
		if (rc)
			respond_store_error(rq, rc, rq->name);
		else
			respond_success(rq->http, 201);
	}
	json_decref(pod);
	json_decref(b);
}

static void handle_eviction(struct api_req *rq)
{
	json_t *pod = NULL;
	int rc = load_object(rq->cp, rq->res, rq->ns, rq->name, &pod);
	if (rc) {
		respond_store_error(rq, rc, rq->name);
		return;
	}
	struct delete_opts o;
	memset(&o, 0, sizeof o);
	o.grace = -1;
	json_t *obj = delete_object(rq, rq->res, pod, &o);
	if (obj)
		respond_success(rq->http, 201);
	json_decref(obj);
	json_decref(pod);
}

/* ---- dispatch ---- */

static bool sub_allowed(const struct api_req *rq)
{
	static const struct {
		const char *name;
		enum resource_sub bit;
	} subs[] = {{"status", SUB_STATUS}, {"scale", SUB_SCALE}, {"binding", SUB_BINDING}, {"eviction", SUB_EVICTION}};
	if (!rq->sub[0])
		return true;
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
		if (!strcmp(rq->sub, subs[i].name))
			return rq->res->subresources & subs[i].bit;
	return false;
}

static void method_not_allowed(struct api_req *rq)
{
	api_status_error(rq->http, 405, "MethodNotAllowed",
			 "the server does not allow this method on the requested resource", NULL);
}

void rest_handle(struct api_req *rq)
{
	const char *m = rq->method;
	if (!sub_allowed(rq)) {
		api_status_error(rq->http, 404, "NotFound", "the server could not find the requested resource", NULL);
		return;
	}
	if (!rq->name[0]) { /* collection */
		if (!strcmp(m, "GET"))
			rest_list(rq);
		else if (!strcmp(m, "POST"))
			handle_create(rq);
		else if (!strcmp(m, "DELETE"))
			handle_delete_collection(rq);
		else
			method_not_allowed(rq);
		return;
	}
	if (!strcmp(rq->sub, "binding") || !strcmp(rq->sub, "eviction")) {
		if (strcmp(m, "POST"))
			method_not_allowed(rq);
		else if (rq->sub[0] == 'b')
			handle_binding(rq);
		else
			handle_eviction(rq);
		return;
	}
	if (!strcmp(m, "GET"))
		handle_get(rq);
	else if (!strcmp(m, "PUT"))
		handle_put(rq);
	else if (!strcmp(m, "PATCH"))
		handle_patch(rq);
	else if (!strcmp(m, "DELETE") && !rq->sub[0])
		handle_delete(rq);
	else if (!strcmp(m, "POST") && !rq->sub[0]) {
		/* POST to a named path: upstream answers 405 */
		method_not_allowed(rq);
	} else
		method_not_allowed(rq);
}
