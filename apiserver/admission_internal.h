/* Private helpers shared by the admission files (admission.c,
 * admission_defaults.c, admission_validate*.c): a validation run context that
 * tracks the current field path and collects metav1 StatusCause objects, the
 * upstream value formatting (Go's %q / %#v as field.ErrorBody prints it),
 * typed JSON getters that report wrong types as causes, and the name/label
 * syntax checks of apimachinery's util/validation. Not part of the public face
 * of the module (that is apiserver/admission.h). */
#ifndef APISERVER_ADMISSION_INTERNAL_H
#define APISERVER_ADMISSION_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "apiserver/resources.h"

#define ADM_PATH_MAX 1024
#define ADM_MAX_CAUSES 200 /* a 422 listing more helps nobody */
#define ADM_MAX_ITEMS 4096 /* list entries looked at per list */
#define ADM_VALUE_MAX 512  /* rendered bad values are cut here */

/* One validation run: the field path being looked at and where causes go. */
struct adm {
	json_t *causes;
	char path[ADM_PATH_MAX];
	size_t len;
};

/* Limits from upstream. */
#define ADM_DNS1123_SUBDOMAIN_MAX 253
#define ADM_DNS_LABEL_MAX 63
#define ADM_ANNOTATIONS_MAX (256 * 1024)
#define ADM_CONFIGMAP_MAX (1024 * 1024)

/* Path handling: push returns the old length to hand back to pop. */
size_t adm_push(struct adm *a, const char *child);
size_t adm_push_index(struct adm *a, size_t i);
size_t adm_push_key(struct adm *a, const char *key);
void adm_pop(struct adm *a, size_t mark);

/* Cause adders; child (may be NULL) is appended to the current path for this
 * one cause. Values are rendered the way field.ErrorBody prints them. */
void adm_required(struct adm *a, const char *child, const char *detail);
void adm_forbidden(struct adm *a, const char *child, const char *detail);
void adm_invalid(struct adm *a, const char *child, const json_t *value, const char *detail);
/* As adm_invalid with an already rendered value ("v1.LabelSelector{...}"). */
void adm_invalid_raw(struct adm *a, const char *child, const char *rendered, const char *detail);
void adm_invalid_str(struct adm *a, const char *child, const char *value, const char *detail);
void adm_invalid_int(struct adm *a, const char *child, long long value, const char *detail);
/* supported is a NULL-terminated list. */
void adm_not_supported(struct adm *a, const char *child, const json_t *value,
		       const char *const *supported);
void adm_duplicate(struct adm *a, const char *child, const json_t *value);
void adm_not_found(struct adm *a, const char *child, const json_t *value);
void adm_too_long(struct adm *a, const char *child, long long max_bytes);
/* A JSON value of the wrong type: FieldValueTypeInvalid. */
void adm_type_invalid(struct adm *a, const char *child, const json_t *value, const char *want);

/* Typed getters: NULL when absent or JSON null; when present with another
 * type they add a FieldValueTypeInvalid cause (if a != NULL) and return NULL. */
json_t *adm_get_obj(struct adm *a, const json_t *parent, const char *key);
json_t *adm_get_arr(struct adm *a, const json_t *parent, const char *key);
const char *adm_get_str(struct adm *a, const json_t *parent, const char *key);
/* Integers: returns true and sets *out when present and an integer. */
bool adm_get_int(struct adm *a, const json_t *parent, const char *key, long long *out);
/* Booleans: returns the value, def when absent or mistyped. */
bool adm_get_bool(struct adm *a, const json_t *parent, const char *key, bool def);

/* Value rendering (Go %q for strings, %v for numbers, JSON otherwise). */
void adm_render(const json_t *v, char *buf, size_t len);
void adm_quote(const char *s, char *buf, size_t len);
/* map[string]string{"a":"b"} (keys sorted) or map[string]string(nil). */
void adm_render_string_map(const json_t *m, char *buf, size_t len);
/* v1.LabelSelector{MatchLabels:..., MatchExpressions:...}. */
void adm_render_selector(const json_t *sel, char *buf, size_t len);

/* apimachinery util/validation: each fills msgs (up to 3) and returns their
 * count; messages are static strings. */
int adm_check_dns1123_subdomain(const char *s, const char *msgs[3]);
int adm_check_dns1123_label(const char *s, const char *msgs[3]);
int adm_check_dns1035_label(const char *s, const char *msgs[3]);
int adm_check_label_value(const char *s, const char *msgs[3]);
/* Label keys / qualified names: messages may carry "prefix part " or "name
 * part " and are written into bufs. */
int adm_check_qualified_name(const char *s, char bufs[3][400]);
int adm_check_config_key(const char *s, const char *msgs[3]);
int adm_check_port_name(const char *s, const char *msgs[5]);
bool adm_is_percent(const char *s);

/* Quantities ("500m", "1Gi", "1e3"): true and the value when the syntax is
 * right. */
bool adm_quantity_parse(const json_t *v, long double *out);
extern const char adm_quantity_regex_msg[];

/* Label selectors: true when labels (object) satisfy sel (LabelSelector). A
 * malformed selector matches nothing. */
bool adm_selector_matches(const json_t *sel, const json_t *labels);
bool adm_selector_empty(const json_t *sel);

/* Base64 (std alphabet, padded). Encode: caller frees. Decode: returns the
 * decoded length or -1; out must hold 3*len/4 + 3 bytes. */

/* Per-kind pieces used across files. */
void adm_validate_meta(struct adm *a, const struct resource *r, const json_t *obj,
		       const json_t *old);
void adm_validate_pod_spec(struct adm *a, const json_t *spec);
void adm_validate_pod_template(struct adm *a, const json_t *tmpl);
/* labels and annotations of an ObjectMeta (path at the metadata). */
void adm_validate_meta_maps(struct adm *a, const json_t *meta);
void adm_validate_labels(struct adm *a, const json_t *labels);
void adm_validate_annotations(struct adm *a, const json_t *ann);
void adm_validate_label_selector(struct adm *a, const json_t *sel);
void adm_validate_workload(struct adm *a, const char *kind, const json_t *obj, const json_t *old);
void adm_validate_job_spec(struct adm *a, const json_t *spec, bool need_selector);
void adm_validate_cronjob(struct adm *a, const json_t *obj, const json_t *old);
void adm_validate_pod_update(struct adm *a, const json_t *obj, const json_t *old);
/* Core kinds other than pods: returns false when kind is not one of them. */
bool adm_validate_core_kind(struct adm *a, const char *kind, const json_t *obj, const json_t *old);
/* Cron schedule ("*\/5 * * * *", "@hourly"); NULL or an error message in buf. */
const char *adm_cron_check(const char *schedule, char *buf, size_t len);

/* Shared checks of the per-kind validators. */
bool adm_str_in(const char *s, const char *const *list);
/* An enum string at key: Required (when required), type error or NotSupported. */
void adm_check_enum(struct adm *a, const json_t *obj, const char *key, const char *const *allowed,
		    bool required);
/* A port number value at child: Required (when required), type error or out of 1..65535. */
void adm_check_port(struct adm *a, const char *child, const json_t *v, bool required);

#endif
