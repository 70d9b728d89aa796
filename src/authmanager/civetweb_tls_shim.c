/* civetweb_tls_shim.c - lets Debian 12's CivetWeb do TLS with OpenSSL 3.
 *
 * Debian's libcivetweb loads OpenSSL at run time with dlopen("libssl.so")
 * and looks up the OpenSSL 1.1 function SSL_get_peer_certificate, which
 * OpenSSL 3 only has as a macro: the lookup yields NULL and the first TLS
 * connection crashes. This tiny library has the SONAME "libssl.so" and
 * depends on the real libssl/libcrypto; the daemon links it, so CivetWeb's
 * dlopen finds it already loaded and every lookup goes through it to
 * OpenSSL 3, plus the one missing function, defined here with the same
 * semantics (a new reference the caller frees).
 */
#include <openssl/ssl.h>

#undef SSL_get_peer_certificate
X509 *SSL_get_peer_certificate(const SSL *s);

X509 *SSL_get_peer_certificate(const SSL *s)
{
	return SSL_get1_peer_certificate(s);
}
