/* A tiny unit-test harness: CHECK records a failure and goes on; each test
 * file's main() calls TEST_RUN for its cases and returns test_summary(),
 * which prints "N passed, N failed" (the line CI reads). */
#ifndef TESTS_TEST_H
#define TESTS_TEST_H
#include <stdio.h>
#include <string.h>

static int test_failed_checks, test_cases_passed, test_cases_failed;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
			test_failed_checks++;                                                      \
		}                                                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *a_ = (a), *b_ = (b);                                                   \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                           \
			fprintf(stderr, "%s:%d: CHECK_STR failed: %s = \"%s\", expected \"%s\"\n", \
				__FILE__, __LINE__, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)");   \
			test_failed_checks++;                                                      \
		}                                                                                  \
	} while (0)

#define CHECK_INT(a, b)                                                                            \
	do {                                                                                       \
		long long a_ = (long long)(a), b_ = (long long)(b);                               \
		if (a_ != b_) {                                                                    \
			fprintf(stderr, "%s:%d: CHECK_INT failed: %s = %lld, expected %lld\n",     \
				__FILE__, __LINE__, #a, a_, b_);                                   \
			test_failed_checks++;                                                      \
		}                                                                                  \
	} while (0)

#define TEST_RUN(fn)                                                                               \
	do {                                                                                       \
		int before_ = test_failed_checks;                                                  \
		fn();                                                                              \
		if (test_failed_checks == before_) {                                               \
			test_cases_passed++;                                                       \
		} else {                                                                           \
			test_cases_failed++;                                                       \
			fprintf(stderr, "FAIL %s\n", #fn);                                         \
		}                                                                                  \
	} while (0)

static inline int test_summary(void)
{
	printf("%d passed, %d failed\n", test_cases_passed, test_cases_failed);
	return test_cases_failed ? 1 : 0;
}

#endif
