/* LIST (with selectors, pagination and Table output) and the list half of WATCH. */
#ifndef APISERVER_REST_LIST_H
#define APISERVER_REST_LIST_H

#include <jansson.h>
#include "apiserver/internal.h"

void rest_list(struct api_req *rq);
/* Every object of the request's resource and namespace matching its label and
 * field selectors, parsed (new reference in *items). Answers and returns -1
 * on a bad selector. */
int rest_list_matching(struct api_req *rq, json_t **items);

#endif
