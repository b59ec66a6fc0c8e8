/* agent/agent_internal.h — private helpers shared by the agent's files:
 * cleanup attributes, the error formatter and small file readers. Nothing
 * outside agent/ includes this. */
#ifndef AGENT_AGENT_INTERNAL_H
#define AGENT_AGENT_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/types.h>
#include <jansson.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(agent_freep)
#define _cleanup_close_ _cleanup_(agent_closep)
#define _cleanup_json_ _cleanup_(agent_jsonp)

static inline void agent_freep(void *p)
{
	free(*(void **)p);
}
static inline void agent_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
static inline void agent_jsonp(json_t **j)
{
	json_decref(*j);
}

/* Formats into err (when err and errlen) and returns -errno_value. */
int agent_err(char *err, size_t errlen, int errno_value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reads at most max-1 bytes of a small file into buf (NUL-terminated) and
 * strips trailing whitespace. Returns the length or -errno. */
ssize_t agent_read_small(const char *path, char *buf, size_t max);

/* A growable NULL-terminated vector of owned strings. */
struct agent_strv {
	char **v;
	size_t n, cap;
};
/* Appends a copy of s (n bytes); -ENOMEM on failure. */
int agent_strv_addn(struct agent_strv *sv, const char *s, size_t n);
int agent_strv_add(struct agent_strv *sv, const char *s);
/* Takes ownership of s (freed on failure). */
int agent_strv_take(struct agent_strv *sv, char *s);
void agent_strv_clear(struct agent_strv *sv);
/* Frees a NULL-terminated vector of owned strings. */
void agent_strv_free(char **v);


/* mkdir -p: every missing directory of path with mode; 0 or -errno. */
int agent_mkdir_p(const char *path, mode_t mode);

#endif
