package app

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
)

// trustHint is how to make a corporate proxy's CA trusted. Go reads
// SSL_CERT_FILE and SSL_CERT_DIR on Linux and the BSDs only; macOS and
// Windows verify with the system's own store.
const trustHint = "If a corporate proxy or antivirus inspects HTTPS, its CA certificate must be trusted: add it to the system store,\n" +
	"or on Linux point SSL_CERT_FILE at a PEM bundle that includes it (or SSL_CERT_DIR at a directory of PEM files)."

// tlsHint explains a failed TLS certificate verification anywhere in
// err's chain, or returns "". It names what the user can change: the URL,
// the clock, or the trusted CAs (SSL_CERT_FILE / SSL_CERT_DIR).
func tlsHint(err error) string {
	var (
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		unknown x509.UnknownAuthorityError
		roots   x509.SystemRootsError
		verify  *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &host):
		return "The server's certificate is for another host name: check the URL (api_url, --url, --sandbox).\n" + trustHint
	case errors.As(err, &invalid):
		if invalid.Reason == x509.Expired {
			return "The server's certificate has expired or is not valid yet: check this machine's clock.\n" + trustHint
		}
		return "The server's certificate is not valid for this use.\n" + trustHint
	case errors.As(err, &unknown):
		return "The server's certificate is signed by an authority this system does not trust.\n" + trustHint
	case errors.As(err, &roots):
		return "This system has no trusted root certificates.\n" + trustHint
	case errors.As(err, &verify):
		return "The server's TLS certificate could not be verified.\n" + trustHint
	}
	return ""
}
