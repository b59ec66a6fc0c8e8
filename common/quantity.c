/* common/quantity.c — exact Quantity parsing: the mantissa is kept as a
 * 128-bit integer, the binary and decimal scales are applied without
 * floating point, and the result is rounded up like Quantity.Value(). */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/quantity.h"

#ifdef __SIZEOF_INT128__
typedef unsigned __int128 u128;
#define MANTISSA_DIGITS 30 /* more significant digits than any real quantity */
#define WIDE_LIMIT ((u128)INT64_MAX * 1024)
#else /* 32-bit targets (armhf): 64-bit arithmetic; only absurd mantissas give -ERANGE */
typedef uint64_t u128;
#define MANTISSA_DIGITS 19
#define WIDE_LIMIT ((u128)UINT64_MAX)
#endif

struct quantity {
	u128 mantissa;
	int frac_digits; /* digits after the point */
	int dec_exp;	 /* decimal exponent from the suffix */
	int bin_exp;	 /* binary exponent from the suffix (Ki = 10) */
};

static int parse_number(const char **sp, struct quantity *q)
{
	const char *s = *sp;
	int digits = 0, seen = 0;
	bool point = false;
	for (;; s++) {
		if (*s == '.' && !point) {
			point = true;
			continue;
		}
		if (!isdigit((unsigned char)*s))
			break;
		seen++;
		if (digits == 0 && *s == '0') { /* leading zeros: no mantissa digits */
			if (point)
				q->frac_digits++;
			continue;
		}
		if (digits >= MANTISSA_DIGITS)
			return -ERANGE;
		q->mantissa = q->mantissa * 10 + (unsigned)(*s - '0');
		digits++;
		if (point)
			q->frac_digits++;
	}
	if (!seen)
		return -EINVAL;
	*sp = s;
	return 0;
}

static int parse_exponent(const char *s, struct quantity *q)
{
	int sign = 1, v = 0;
	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++) {
		v = v * 10 + (*s - '0');
		if (v > 1000)
			return -ERANGE;
	}
	if (*s)
		return -EINVAL;
	q->dec_exp = sign * v;
	return 0;
}

static int parse_suffix(const char *s, struct quantity *q)
{
	static const struct {
		const char *name;
		int dec, bin;
	} suffixes[] = {
	    {"", 0, 0},	   {"Ki", 0, 10}, {"Mi", 0, 20}, {"Gi", 0, 30},
	    {"Ti", 0, 40}, {"Pi", 0, 50}, {"Ei", 0, 60}, {"n", -9, 0},
	    {"u", -6, 0},  {"m", -3, 0},  {"k", 3, 0},	 {"M", 6, 0},
	    {"G", 9, 0},   {"T", 12, 0},  {"P", 15, 0},	 {"E", 18, 0},
	};
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if (!strcmp(s, suffixes[i].name)) {
			q->dec_exp = suffixes[i].dec;
			q->bin_exp = suffixes[i].bin;
			return 0;
		}
	}
	if (*s == 'e' || *s == 'E')
		return parse_exponent(s + 1, q);
	return -EINVAL;
}

static int mul_checked(u128 *v, u128 by)
{
	if (*v && by > WIDE_LIMIT / *v)
		return -ERANGE;
	*v *= by;
	return 0;
}

static int scale_quantity(const struct quantity *q, int scale, int64_t *out)
{
	u128 v = q->mantissa;
	int d = q->dec_exp - q->frac_digits + scale;
	for (int i = 0; i < q->bin_exp; i++)
		if (mul_checked(&v, 2) < 0)
			return -ERANGE;
	for (; d > 0; d--)
		if (mul_checked(&v, 10) < 0)
			return -ERANGE;
	if (d < 0) {
		u128 den = 1;
		bool tiny = false;
		for (; d < 0 && !tiny; d++) {
			/* below one (or too small to tell): rounds up to 1 */
			if (den > v || den > ~(u128)0 / 10)
				tiny = true;
			den *= 10;
		}
		v = tiny ? (v ? 1 : 0) : (v + den - 1) / den;
	}
	if (v > INT64_MAX)
		return -ERANGE;
	*out = (int64_t)v;
	return 0;
}

int quantity_parse(const char *s, int scale, int64_t *out)
{
	if (!s || !*s || strlen(s) > QUANTITY_MAX)
		return -EINVAL;
	if (*s == '+')
		s++;
	struct quantity q = {0};
	int r = parse_number(&s, &q);
	if (r < 0)
		return r;
	r = parse_suffix(s, &q);
	if (r < 0)
		return r;
	return scale_quantity(&q, scale, out);
}
