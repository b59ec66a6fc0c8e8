/* Path building and verb wrappers over struct api_client. */
#include <stdio.h>
#include <time.h>

#include "common/apiclient.h"

char *api_path(char *out, size_t len, const char *group, const char *version, const char *plural, const char *ns,
	       const char *name, const char *sub)
{
	int n = group && *group ? snprintf(out, len, "/apis/%s/%s", group, version)
				: snprintf(out, len, "/api/%s", version);
	if (ns && *ns && n >= 0 && (size_t)n < len)
		n += snprintf(out + n, len - n, "/namespaces/%s", ns);
	if (n >= 0 && (size_t)n < len)
		n += snprintf(out + n, len - n, "/%s", plural);
	if (name && *name && n >= 0 && (size_t)n < len)
		n += snprintf(out + n, len - n, "/%s", name);
	if (sub && *sub && n >= 0 && (size_t)n < len)
		snprintf(out + n, len - n, "/%s", sub);
	return out;
}

int api_create(const struct api_client *c, const char *path, const json_t *obj, json_t **out)
{
	return c->call(c->ud, "POST", path, NULL, obj, out);
}

int api_update(const struct api_client *c, const char *path, const json_t *obj, json_t **out)
{
	return c->call(c->ud, "PUT", path, NULL, obj, out);
}

int api_merge_patch(const struct api_client *c, const char *path, const json_t *patch, json_t **out)
{
	return c->call(c->ud, "PATCH", path, "application/merge-patch+json", patch, out);
}

int api_delete(const struct api_client *c, const char *path, const json_t *options, json_t **out)
{
	return c->call(c->ud, "DELETE", path, NULL, options, out);
}

const char *api_status_message(const json_t *status)
{
	const char *m = json_string_value(json_object_get(status, "message"));
	return m ? m : "";
}

static const char *meta_str(const json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(json_object_get(obj, "metadata"), key));
	return v ? v : "";
}

void api_event(const struct api_client *c, const json_t *obj, const char *api_version, const char *kind,
	       const char *type, const char *reason, const char *component, const char *message)
{
	char now[32], name[300], path[512];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* Upstream names events after the object plus a unique hex suffix. */
	snprintf(name, sizeof name, "%.200s.%llx", meta_str(obj, "name"),
		 (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec);
	const char *ns = *meta_str(obj, "namespace") ? meta_str(obj, "namespace") : "default";
	json_t *ev = json_pack("{s:s,s:s,s:{s:s,s:s},s:{s:s,s:s,s:s,s:s,s:s},s:s,s:s,s:s,s:{s:s},s:s,s:s,s:i,s:s}",
			       "apiVersion", "v1", "kind", "Event", "metadata", "name", name, "namespace", ns,
			       "involvedObject", "apiVersion", api_version, "kind", kind, "name", meta_str(obj, "name"),
			       "namespace", meta_str(obj, "namespace"), "uid", meta_str(obj, "uid"), "reason", reason,
			       "message", message, "type", type, "source", "component", component, "firstTimestamp", now,
			       "lastTimestamp", now, "count", 1, "reportingComponent", component);
	if (ev)
		c->call(c->ud, "POST", api_path(path, sizeof path, "", "v1", "events", ns, NULL, NULL), NULL, ev, NULL);
	json_decref(ev);
}
