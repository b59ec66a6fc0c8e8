/* metav1.Status error responses with the reasons, codes and details kubectl
 * branches on (see reference/kubectl-api-surface.md §9). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apiserver/internal.h"
#include "common/jsonutil.h"

void api_respond_json_warn(struct http_req *h, int code, const json_t *obj, const char *warning)
{
	char *body = json_encode(obj);
	struct http_header hdr[1];
	size_t n = 0;
	char warnbuf[1024];
	if (warning) {
		snprintf(warnbuf, sizeof warnbuf, "299 - \"%s\"", warning);
		hdr[n++] = (struct http_header){"Warning", warnbuf};
	}
	http_respond(h, code, hdr, n, "application/json", body, body ? strlen(body) : 0);
	free(body);
}

void api_respond_json(struct http_req *h, int code, const json_t *obj)
{
	api_respond_json_warn(h, code, obj, NULL);
}

void api_status_error(struct http_req *h, int code, const char *reason, const char *message,
		      json_t *details)
{
	json_t *st = json_pack("{s:s,s:s,s:{},s:s,s:s,s:s}", "kind", "Status", "apiVersion", "v1",
			       "metadata", "status", "Failure", "message", message, "reason", reason);
	if (details)
		json_object_set_new(st, "details", details);
	json_object_set_new(st, "code", json_integer(code));
	api_respond_json(h, code, st);
	json_decref(st);
}

json_t *api_details(const struct resource *r, const char *name)
{
	json_t *d = json_object();
	if (name && *name)
		json_object_set_new(d, "name", json_string(name));
	if (r && r->group[0])
		json_object_set_new(d, "group", json_string(r->group));
	if (r)
		json_object_set_new(d, "kind", json_string(r->plural));
	return d;
}

void api_not_found(struct api_req *rq, const char *name)
{
	char q[128], msg[512];
	snprintf(msg, sizeof msg, "%s \"%s\" not found", resource_qualified(rq->res, q, sizeof q), name);
	api_status_error(rq->http, 404, "NotFound", msg, api_details(rq->res, name));
}

void api_bad_request(struct http_req *h, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	api_status_error(h, 400, "BadRequest", msg, NULL);
}

/* 422 Invalid: `Deployment.apps "web" is invalid: spec.replicas: Invalid value: ...` */
void api_invalid(struct api_req *rq, const char *name, json_t *causes)
{
	char msg[4096];
	int n;
	if (rq->res->group[0])
		n = snprintf(msg, sizeof msg, "%s.%s \"%s\" is invalid: ", rq->res->kind, rq->res->group, name);
	else
		n = snprintf(msg, sizeof msg, "%s \"%s\" is invalid: ", rq->res->kind, name);
	size_t i;
	json_t *c;
	size_t count = json_array_size(causes);
	if (count > 1 && n < (int)sizeof msg)
		n += snprintf(msg + n, sizeof msg - n, "[");
	json_array_foreach(causes, i, c) {
		if (n >= (int)sizeof msg)
			break;
		const char *field = json_string_value(json_object_get(c, "field"));
		n += snprintf(msg + n, sizeof msg - n, "%s%s%s%s", i ? ", " : "", field ? field : "",
			      field ? ": " : "", json_string_value(json_object_get(c, "message")));
	}
	if (count > 1 && n < (int)sizeof msg)
		snprintf(msg + n, sizeof msg - n, "]");
	json_t *d = json_object();
	json_object_set_new(d, "name", json_string(name));
	if (rq->res->group[0])
		json_object_set_new(d, "group", json_string(rq->res->group));
	json_object_set_new(d, "kind", json_string(rq->res->kind));
	json_object_set_new(d, "causes", causes);
	api_status_error(rq->http, 422, "Invalid", msg, d);
}
