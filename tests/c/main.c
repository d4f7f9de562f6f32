/* The libmongoawsauth C test runner: runs every registered test and prints
 * "N passed, N failed". Exit status 0 only when nothing failed. */
#include <stdlib.h>

#include "check.h"

int check_current_failed = 0;

int main(int argc, char **argv) {
    const test_case_t *suites[] = {version_tests,      error_tests,          credentials_tests,
                                   options_tests,      conversation_tests,   authenticator_tests,
                                   async_tests,        settings_tests,       cache_tests,
                                   saml_tests,         diagnostics_tests,    deprecated_tests,
                                   contract_tests,     NULL};
    /* An optional argument runs only the tests whose name contains it. */
    const char *filter = argc > 1 ? argv[1] : NULL;
    int passed = 0;
    int failed = 0;
    for (size_t s = 0; suites[s] != NULL; s++) {
        for (const test_case_t *t = suites[s]; t->name != NULL; t++) {
            if (filter != NULL && strstr(t->name, filter) == NULL) {
                continue;
            }
            check_current_failed = 0;
            t->fn();
            if (check_current_failed) {
                failed++;
                printf("FAIL %s\n", t->name);
            } else {
                passed++;
                printf("ok   %s\n", t->name);
            }
            fflush(stdout);
        }
    }
    /* Stop the library's runtime threads so that a leak checker sees a clean exit. */
    CHECK_RC(mongoawsauth_cleanup(NULL), MONGOAWSAUTH_RESULT_OK);
    if (check_current_failed) {
        failed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
