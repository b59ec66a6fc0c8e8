/* Cron schedules as CronJob.spec.schedule takes them: five fields (minute,
 * hour, day of month, month, day of week) with lists, ranges, steps, `*`, `?`,
 * month and weekday names, and the @yearly/@annually/@monthly/@weekly/
 * @daily/@midnight/@hourly macros; "CRON_TZ=Zone " or "TZ=Zone " prefixes and
 * CronJob.spec.timeZone select the time zone (IANA names from the system's
 * zoneinfo). Day of month and day of week are ORed when both are restricted,
 * as in Vixie cron and robfig/cron. */
#ifndef CONTROLLERS_CRON_H
#define CONTROLLERS_CRON_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct cron_schedule {
	uint64_t minutes;  /* bit i: minute i */
	uint32_t hours;	   /* bits 0..23 */
	uint32_t mdays;	   /* bits 1..31 */
	uint16_t months;   /* bits 1..12 */
	uint8_t wdays;	   /* bits 0..6, Sunday = 0 */
	bool mday_star, wday_star;
	char tz[64];	   /* "" = the zone given to cron_next (or UTC) */
};

/* 0, or -EINVAL with a message in err. */
int cron_parse(const char *spec, struct cron_schedule *out, char *err, size_t errlen);
/* The first matching minute strictly after `after` (unix seconds), in the
 * schedule's zone or else tz (NULL/"" = UTC); -1 if none within 5 years or
 * the zone is unknown. */
long long cron_next(const struct cron_schedule *s, const char *tz, long long after);

#endif
