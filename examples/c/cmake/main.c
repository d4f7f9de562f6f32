/*
 * The CMake build of the login example. The program is examples/c/authenticate.c, unchanged:
 * hello, saslStart with libmongoawsauth's client-first payload, saslContinue with its signed
 * client-final payload, then connectionStatus to print the IAM ARN the server authenticated.
 * It is included rather than copied so that the pkg-config and the CMake builds run one program;
 * a project of your own would have its code here.
 *
 * Usage: MONGOD_ADDRESS=127.0.0.1:27017 ./authenticate   (credentials from AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and, for temporary credentials, AWS_SESSION_TOKEN)
 */
#include "../authenticate.c"
