// The header must compile as C++ (extern "C", no C-only constructs) and be includable twice.
#include <mongoawsauth.h>
#include <mongoawsauth.h>

static_assert(sizeof(mongoawsauth_result_t) == 4, "result codes are uint32_t in the ABI");
static_assert(MONGOAWSAUTH_VERSION_NUMBER ==
                  ((MONGOAWSAUTH_VERSION_MAJOR << 16) | (MONGOAWSAUTH_VERSION_MINOR << 8) |
                   MONGOAWSAUTH_VERSION_PATCH),
              "packed version");

int header_cpp_uses_the_api() {
    mongoawsauth_options_t *options = mongoawsauth_options_new();
    mongoawsauth_authenticator_t *auth = nullptr;
    mongoawsauth_error_t *error = nullptr;
    mongoawsauth_result_t rc = mongoawsauth_authenticator_new(options, &auth, &error);
    mongoawsauth_authenticator_destroy(auth);
    mongoawsauth_error_destroy(error);
    mongoawsauth_options_destroy(options);
    return static_cast<int>(rc);
}
