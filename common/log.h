/* One line per event: "LEVEL component message key=value...". Verbosity is a
 * value the caller owns (no global state); log_v() is like klog's V(n). */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H
#include <stdio.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO };

struct logger {
	int verbosity; /* --v=N */
	FILE *out;     /* stderr when NULL */
};

void log_msg(const struct logger *lg, enum log_level lvl, const char *component, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Logged only when lg->verbosity >= v. */
void log_v(const struct logger *lg, int v, const char *component, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define log_error(lg, comp, ...) log_msg(lg, LOG_ERROR, comp, __VA_ARGS__)
#define log_warn(lg, comp, ...) log_msg(lg, LOG_WARN, comp, __VA_ARGS__)
#define log_info(lg, comp, ...) log_msg(lg, LOG_INFO, comp, __VA_ARGS__)

#endif
