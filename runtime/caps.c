/* runtime/caps.c — capability sets for containers with libcap: the 14
 * containerd/Docker defaults, parsing of "CAP_X"/"X" names, and applying a
 * set as containerd does (bounding + permitted + effective; inheritable and
 * ambient cleared). */
#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "runtime/container_internal.h"

static const int default_caps[] = {
    CAP_CHOWN,	 CAP_DAC_OVERRIDE, CAP_FSETID,		 CAP_FOWNER,
    CAP_MKNOD,	 CAP_NET_RAW,	   CAP_SETGID,		 CAP_SETUID,
    CAP_SETFCAP, CAP_SETPCAP,	   CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
    CAP_KILL,	 CAP_AUDIT_WRITE,
};

static void set_bit(struct rt_capset *s, int cap)
{
	if (cap >= 0 && cap < 32 * RT_CAPS_WORDS)
		s->bits[cap / 32] |= 1u << (cap % 32);
}

static bool has_bit(const struct rt_capset *s, int cap)
{
	return cap >= 0 && cap < 32 * RT_CAPS_WORDS && (s->bits[cap / 32] >> (cap % 32)) & 1;
}

void rt_caps_default(struct rt_capset *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(default_caps) / sizeof(default_caps[0]); i++)
		set_bit(out, default_caps[i]);
}

static int last_cap(void)
{
	int n = (int)cap_max_bits();
	return n > 0 && n <= 32 * RT_CAPS_WORDS ? n - 1 : CAP_LAST_CAP;
}

void rt_caps_all(struct rt_capset *out)
{
	memset(out, 0, sizeof(*out));
	for (int c = 0; c <= last_cap(); c++)
		set_bit(out, c);
}

int rt_caps_parse(const char *const *names, struct rt_capset *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; names && names[i]; i++) {
		const char *n = names[i];
		if (!strcasecmp(n, "ALL") || !strcasecmp(n, "CAP_ALL")) {
			rt_caps_all(out);
			continue;
		}
		char full[64];
		if (snprintf(full, sizeof(full), "%s%s", strncasecmp(n, "CAP_", 4) ? "cap_" : "",
			     n) >= (int)sizeof(full))
			return rt_err(err, errlen, EINVAL, "unknown capability \"%.40s\"", n);
		cap_value_t v;
		if (cap_from_name(full, &v) < 0)
			return rt_err(err, errlen, EINVAL, "unknown capability \"%s\"", n);
		set_bit(out, (int)v);
	}
	return 0;
}

int rt_caps_drop_bounding(const struct rt_capset *set, char *err, size_t errlen)
{
	int last = last_cap();
	for (int c = 0; c <= last; c++) {
		if (has_bit(set, c) || prctl(PR_CAPBSET_READ, c, 0, 0, 0) != 1)
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return rt_err(err, errlen, errno,
				      "drop capability %d from the bounding set", c);
	}
	return 0;
}

int rt_caps_apply(const struct rt_capset *set, char *err, size_t errlen)
{
	int last = last_cap();
	cap_t caps = cap_init(); /* all clear: inheritable stays empty */
	if (!caps)
		return rt_err(err, errlen, ENOMEM, "cap_init");
	cap_value_t list[64];
	int n = 0;
	for (int c = 0; c <= last && n < 64; c++)
		if (has_bit(set, c) && CAP_IS_SUPPORTED(c) && prctl(PR_CAPBSET_READ, c) == 1)
			list[n++] = c;
	int r = 0;
	if (n && (cap_set_flag(caps, CAP_PERMITTED, n, list, CAP_SET) < 0 ||
		  cap_set_flag(caps, CAP_EFFECTIVE, n, list, CAP_SET) < 0))
		r = rt_err(err, errlen, errno, "cap_set_flag");
	if (r == 0 && cap_set_proc(caps) < 0)
		r = rt_err(err, errlen, errno, "set capabilities");
	cap_free(caps);
	if (r == 0 && CAP_AMBIENT_SUPPORTED() && cap_reset_ambient() < 0)
		r = rt_err(err, errlen, errno, "clear ambient capabilities");
	return r;
}

void rt_caps_to_hex(const struct rt_capset *set, char *out, size_t n)
{
	snprintf(out, n, "%08x%08x", set->bits[1], set->bits[0]);
}

int rt_caps_from_hex(const char *s, struct rt_capset *out)
{
	memset(out, 0, sizeof(*out));
	if (!s || strlen(s) != 16)
		return -EINVAL;
	char hi[9], lo[9];
	memcpy(hi, s, 8);
	hi[8] = 0;
	memcpy(lo, s + 8, 8);
	lo[8] = 0;
	char *e1, *e2;
	out->bits[1] = (uint32_t)strtoul(hi, &e1, 16);
	out->bits[0] = (uint32_t)strtoul(lo, &e2, 16);
	return *e1 || *e2 ? -EINVAL : 0;
}
