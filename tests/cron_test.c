/* Cron schedules: fields, names, macros, steps, day OR rules, time zones. */
#include <errno.h>

#include "controllers/cron.h"
#include "tests/test.h"

/* 2026-11-22T08:00:00Z is a Sunday. */
#define T0 1795334400LL

static long long next(const char *spec, const char *tz, long long after)
{
	struct cron_schedule s;
	char err[256];
	if (cron_parse(spec, &s, err, sizeof err))
		return -2;
	return cron_next(&s, tz, after);
}

static void test_every_minute_and_steps(void)
{
	CHECK_INT(next("* * * * *", NULL, T0), T0 + 60);
	CHECK_INT(next("* * * * *", NULL, T0 + 59), T0 + 60);
	CHECK_INT(next("*/15 * * * *", NULL, T0), T0 + 15 * 60);
	CHECK_INT(next("5/20 * * * *", NULL, T0), T0 + 5 * 60);
	CHECK_INT(next("0 9-17/4 * * *", NULL, T0), T0 + 3600 * 1 + 0); /* 09:00 */
}

static void test_names_macros_and_days(void)
{
	CHECK_INT(next("@hourly", NULL, T0), T0 + 3600);
	CHECK_INT(next("@daily", NULL, T0), T0 + 16 * 3600);		/* next midnight UTC */
	CHECK_INT(next("0 8 * * MON", NULL, T0), T0 + 24 * 3600);	/* Monday 08:00 */
	CHECK_INT(next("0 8 * * 7", NULL, T0 - 60), T0);		/* 7 is Sunday */
	CHECK_INT(next("0 0 1 JAN *", NULL, T0), 1798761600LL);		/* 2027-01-01 */
	/* Both restricted: day of month OR day of week (Monday 23rd is both). */
	CHECK_INT(next("0 8 25 * 1", NULL, T0), T0 + 24 * 3600);
}

static void test_time_zones(void)
{
	/* 09:00 in Berlin (UTC+1 in November) is 08:00 UTC. */
	CHECK_INT(next("0 9 * * *", "Europe/Berlin", T0 - 60), T0);
	CHECK_INT(next("CRON_TZ=Europe/Berlin 0 9 * * *", NULL, T0 - 60), T0);
	CHECK_INT(next("0 9 * * *", "Not/AZone", T0), -1);
	CHECK_INT(next("0 9 * * *", "../../etc/passwd", T0), -1);
}

static void test_rejects_bad_specs(void)
{
	struct cron_schedule s;
	char err[256];
	CHECK_INT(cron_parse("* * * *", &s, err, sizeof err), -EINVAL);
	CHECK_INT(cron_parse("* * * * * *", &s, err, sizeof err), -EINVAL);
	CHECK_INT(cron_parse("60 * * * *", &s, err, sizeof err), -EINVAL);
	CHECK_INT(cron_parse("* 24 * * *", &s, err, sizeof err), -EINVAL);
	CHECK_INT(cron_parse("*/0 * * * *", &s, err, sizeof err), -EINVAL);
	CHECK_INT(cron_parse("5-1 * * * *", &s, err, sizeof err), -EINVAL);
	CHECK_INT(cron_parse("a b c d e", &s, err, sizeof err), -EINVAL);
	CHECK(strstr(err, "minute") != NULL);
}

int main(void)
{
	TEST_RUN(test_every_minute_and_steps);
	TEST_RUN(test_names_macros_and_days);
	TEST_RUN(test_time_zones);
	TEST_RUN(test_rejects_bad_specs);
	return test_summary();
}
