/* Cron schedule parsing and next-run computation (see cron.h). Time zones:
 * localtime_r/mktime under a temporarily set TZ — the control plane's loop
 * is the only caller, and nothing else in the process reads TZ. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "controllers/cron.h"

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun",
					  "jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const day_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

static int parse_value(const char **p, const char *const *names, int nnames, int name_base, int *out)
{
	if (names) {
		for (int i = 0; i < nnames; i++)
			if (!strncasecmp(*p, names[i], 3)) {
				*out = i + name_base;
				*p += 3;
				return 0;
			}
	}
	if (**p < '0' || **p > '9')
		return -EINVAL;
	char *end;
	long v = strtol(*p, &end, 10);
	if (v > 1000)
		return -EINVAL;
	*out = (int)v;
	*p = end;
	return 0;
}

/* One field into a bit set over [lo, hi]. */
static int parse_field(const char *field, int lo, int hi, const char *const *names, int nnames, int name_base,
		       uint64_t *bits, bool *star)
{
	*bits = 0;
	*star = false;
	const char *p = field;
	while (*p) {
		int a = lo, b = hi, step = 1;
		if (*p == '*' || *p == '?') {
			p++;
			*star = true;
		} else {
			if (parse_value(&p, names, nnames, name_base, &a))
				return -EINVAL;
			b = a;
			if (*p == '-') {
				p++;
				if (parse_value(&p, names, nnames, name_base, &b))
					return -EINVAL;
			}
		}
		if (*p == '/') {
			p++;
			char *end;
			step = (int)strtol(p, &end, 10);
			if (end == p || step <= 0)
				return -EINVAL;
			p = end;
			if (a == b && !*star)
				b = hi; /* "5/15" means 5-hi/15 */
			*star = false;
		}
		if (a < lo || b > hi || a > b)
			return -EINVAL;
		for (int v = a; v <= b; v += step)
			*bits |= 1ull << v;
		if (*p == ',')
			p++;
		else if (*p)
			return -EINVAL;
	}
	return *bits ? 0 : -EINVAL;
}

static const struct {
	const char *name, *spec;
} macros[] = {
    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"}, {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},  {"@midnight", "0 0 * * *"}, {"@hourly", "0 * * * *"},
};

int cron_parse(const char *spec, struct cron_schedule *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	while (*spec == ' ')
		spec++;
	if (!strncmp(spec, "CRON_TZ=", 8) || !strncmp(spec, "TZ=", 3)) {
		const char *z = strchr(spec, '=') + 1;
		size_t n = strcspn(z, " ");
		if (n == 0 || n >= sizeof out->tz) {
			snprintf(err, errlen, "invalid time zone in schedule");
			return -EINVAL;
		}
		memcpy(out->tz, z, n);
		spec = z + n;
		while (*spec == ' ')
			spec++;
	}
	for (size_t i = 0; i < sizeof macros / sizeof macros[0]; i++)
		if (!strcmp(spec, macros[i].name))
			spec = macros[i].spec;
	char f[5][128];
	int n = sscanf(spec, "%127s %127s %127s %127s %127s", f[0], f[1], f[2], f[3], f[4]);
	char extra[2];
	if (n != 5 || sscanf(spec, "%*s %*s %*s %*s %*s %1s", extra) == 1) {
		snprintf(err, errlen, "expected exactly 5 fields, found %d: %s", n < 0 ? 0 : n, spec);
		return -EINVAL;
	}
	uint64_t bits;
	bool star;
	static const char *const what[] = {"minute", "hour", "day of month", "month", "day of week"};
	int rc = 0, bad = -1;
	if ((rc = parse_field(f[0], 0, 59, NULL, 0, 0, &bits, &star)) == 0)
		out->minutes = bits;
	else
		bad = 0;
	if (!rc && (rc = parse_field(f[1], 0, 23, NULL, 0, 0, &bits, &star)) == 0)
		out->hours = (uint32_t)bits;
	else if (bad < 0)
		bad = 1;
	if (!rc && (rc = parse_field(f[2], 1, 31, NULL, 0, 0, &bits, &out->mday_star)) == 0)
		out->mdays = (uint32_t)bits;
	else if (bad < 0)
		bad = 2;
	if (!rc && (rc = parse_field(f[3], 1, 12, month_names, 12, 1, &bits, &star)) == 0)
		out->months = (uint16_t)bits;
	else if (bad < 0)
		bad = 3;
	if (!rc && (rc = parse_field(f[4], 0, 7, day_names, 7, 0, &bits, &out->wday_star)) == 0)
		out->wdays = (uint8_t)((bits | (bits >> 7)) & 0x7f); /* 7 is Sunday too */
	else if (bad < 0)
		bad = 4;
	if (rc) {
		snprintf(err, errlen, "failed to parse %s field: %s", what[bad], f[bad]);
		return -EINVAL;
	}
	return 0;
}

static bool day_matches(const struct cron_schedule *s, const struct tm *tm)
{
	bool md = s->mdays & (1u << tm->tm_mday), wd = s->wdays & (1u << tm->tm_wday);
	if (s->mday_star || s->wday_star)
		return md && wd;
	return md || wd;
}

/* Runs the search with TZ set to zone, restoring it after. */
static long long next_in_zone(const struct cron_schedule *s, long long after)
{
	time_t t = (time_t)(after - after % 60 + 60);
	time_t limit = t + 5LL * 366 * 24 * 3600;
	while (t < limit) {
		struct tm tm;
		localtime_r(&t, &tm);
		if (!(s->months & (1u << (tm.tm_mon + 1))) || !day_matches(s, &tm)) {
			tm.tm_mday++; /* next day, midnight */
			tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
			tm.tm_isdst = -1;
			t = mktime(&tm);
			continue;
		}
		if (!(s->hours & (1u << tm.tm_hour))) {
			tm.tm_hour++;
			tm.tm_min = tm.tm_sec = 0;
			tm.tm_isdst = -1;
			time_t nt = mktime(&tm);
			t = nt > t ? nt : t + 3600; /* DST gaps */
			continue;
		}
		if (!(s->minutes & (1ull << tm.tm_min))) {
			t += 60;
			continue;
		}
		return (long long)t;
	}
	return -1;
}

long long cron_next(const struct cron_schedule *s, const char *tz, long long after)
{
	const char *zone = s->tz[0] ? s->tz : (tz && *tz ? tz : "UTC");
	if (strstr(zone, "..") || zone[0] == '/')
		return -1;
	char path[256];
	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", zone);
	if (strcmp(zone, "UTC") && access(path, R_OK))
		return -1;
	char *saved = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	setenv("TZ", zone, 1);
	tzset();
	long long next = next_in_zone(s, after);
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
	return next;
}
