/* Structured one-line logging; see log.h. */
#include "common/log.h"

#include <stdarg.h>
#include <time.h>

__attribute__((format(printf, 4, 0))) static void log_vwrite(const struct logger *lg, const char *lvl, const char *component,
		       const char *fmt, va_list ap)
{
	FILE *out = lg && lg->out ? lg->out : stderr;
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
	flockfile(out);
	fprintf(out, "%s.%03ld %s %s ", stamp, ts.tv_nsec / 1000000, lvl, component);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
	funlockfile(out);
}

void log_msg(const struct logger *lg, enum log_level lvl, const char *component, const char *fmt, ...)
{
	static const char *names[] = {"E", "W", "I"};
	va_list ap;
	va_start(ap, fmt);
	log_vwrite(lg, names[lvl], component, fmt, ap);
	va_end(ap);
}

void log_v(const struct logger *lg, int v, const char *component, const char *fmt, ...)
{
	if (!lg || lg->verbosity < v)
		return;
	va_list ap;
	va_start(ap, fmt);
	log_vwrite(lg, "V", component, fmt, ap);
	va_end(ap);
}
