/* Serves the embedded OpenAPI documents (see apiserver/openapi.h): maps a
 * group-version path to its generated file and stamps the ETag. The documents
 * and the v3 index come from scripts/gen-openapi; this file only looks them up
 * and inflates and hashes the one being served, so it needs no state of its
 * own. */
#include "apiserver/openapi.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"
#include "common/embed.h"

#define GV_PATH_MAX 128
#define JSON_TYPE "application/json"

int openapi_hash(const char *data, size_t len, char out[OPENAPI_HASH_LEN + 1])
{
	unsigned char md[32];
	_Static_assert(OPENAPI_HASH_LEN <= 64, "a SHA-256 prefix");
	sha256(data, len, md);
	for (int i = 0; i < OPENAPI_HASH_LEN / 2; i++)
		snprintf(out + 2 * i, 3, "%02X", md[i]);
	return 0;
}

static int doc_fill(struct openapi_doc *doc, const char *file_name)
{
	memset(doc, 0, sizeof *doc);
	const struct embedded_file *f = embed_find(file_name);
	if (!f)
		return -ENOENT;
	int rc = embed_read(f, &doc->owned, &doc->len);
	if (rc < 0)
		return rc;
	if (openapi_hash(doc->owned, doc->len, doc->hash) < 0) {
		openapi_doc_clear(doc);
		return -EIO;
	}
	snprintf(doc->etag_buf, sizeof doc->etag_buf, "\"%s\"", doc->hash);
	doc->data = doc->owned;
	doc->content_type = JSON_TYPE;
	doc->etag = doc->etag_buf;
	return 0;
}

void openapi_doc_clear(struct openapi_doc *doc)
{
	free(doc->owned);
	doc->owned = NULL;
	doc->data = NULL;
	doc->len = 0;
}

int openapi_v3_index(struct openapi_doc *doc)
{
	return doc_fill(doc, "openapi_v3_index.json");
}

/* "api/<v>" or "apis/<group>/<v>" made of DNS-ish characters, nothing else:
 * the path comes from the URL and names a file. */
static bool gv_path_valid(const char *gv)
{
	size_t n = strnlen(gv, GV_PATH_MAX + 1);
	if (n == 0 || n > GV_PATH_MAX)
		return false;
	if (strncmp(gv, "api/", 4) != 0 && strncmp(gv, "apis/", 5) != 0)
		return false;
	int slashes = 0;
	for (size_t i = 0; i < n; i++) {
		char c = gv[i];
		if (c == '/') {
			if (gv[i + 1] == '/' || gv[i + 1] == '\0' || gv[i + 1] == '.')
				return false;
			slashes++;
		} else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
			     c == '-')) {
			return false;
		}
	}
	return slashes == (gv[3] == '/' ? 1 : 2);
}

/* "apis/apps/v1" -> "apis__apps__v1_openapi.json" (the upstream file naming). */
static void gv_file_name(const char *gv, char *out, size_t size)
{
	size_t o = 0;
	for (const char *p = gv; *p && o + 3 < size; p++) {
		if (*p == '/') {
			out[o++] = '_';
			out[o++] = '_';
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
	strncat(out, "_openapi.json", size - o - 1);
}

int openapi_v3_group_version(const char *gv_path, struct openapi_doc *doc)
{
	char name[2 * GV_PATH_MAX + sizeof "_openapi.json"];
	memset(doc, 0, sizeof *doc);
	if (!gv_path || !gv_path_valid(gv_path))
		return -ENOENT;
	gv_file_name(gv_path, name, sizeof name);
	return doc_fill(doc, name);
}

int openapi_v2(int proto, struct openapi_doc *doc)
{
	memset(doc, 0, sizeof *doc);
	if (proto)
		return -ENOENT;
	return doc_fill(doc, "openapi_v2.json");
}
