/* Path building and verb wrappers over struct api_client. */
#include <stdio.h>

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
