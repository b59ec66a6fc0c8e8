/* agent/util.c — the agent's small private helpers: error formatting, small
 * file reads and string vectors (see agent_internal.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "common/fileutil.h"
#include "agent/agent_internal.h"

int agent_err(char *err, size_t errlen, int errno_value, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -errno_value;
}

ssize_t agent_read_small(const char *path, char *buf, size_t max)
{
	ssize_t len = file_read_small(path, buf, max);
	while (len > 0 && strchr(" \t\r\n", buf[len - 1]))
		buf[--len] = '\0';
	return len;
}

int agent_strv_take(struct agent_strv *sv, char *s)
{
	if (!s)
		return -ENOMEM;
	if (sv->n + 2 > sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 8;
		char **v = realloc(sv->v, cap * sizeof(*v));
		if (!v) {
			free(s);
			return -ENOMEM;
		}
		sv->v = v;
		sv->cap = cap;
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
	return 0;
}

int agent_strv_addn(struct agent_strv *sv, const char *s, size_t n)
{
	return agent_strv_take(sv, strndup(s, n));
}

int agent_strv_add(struct agent_strv *sv, const char *s)
{
	return agent_strv_take(sv, strdup(s));
}

void agent_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void agent_strv_clear(struct agent_strv *sv)
{
	agent_strv_free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

int agent_mkdir_p(const char *path, mode_t mode)
{
	char buf[4096 + 64];
	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}
