/*
 * fstls.h: test certificates for the HTTPS server, made at start-up with
 * OpenSSL so that no private key ever lives in the repository.  A test CA
 * signs the server certificate (localhost, 127.0.0.1 and configured names);
 * the CA certificate is written to a file that clients are told to trust.
 * Faulty variants (expired, wrong name, unknown CA) are made at the same time.
 */
#ifndef FOTASIM_FSTLS_H
#define FOTASIM_FSTLS_H

#include <stddef.h>

enum fstls_kind {
	FSTLS_GOOD,
	FSTLS_EXPIRED,		/* signed by the test CA, notAfter in the past */
	FSTLS_WRONGNAME,	/* signed by the test CA, for wrong.invalid */
	FSTLS_UNTRUSTED,	/* right names, signed by a CA nobody trusts */
	FSTLS_NKINDS,
};

struct fstls {
	char	*dir;			/* where ca.pem lives */
	int	 owndir;		/* dir was made here; remove it */
	char	*ca_file;
	char	*key_pem;		/* the server key, shared by all certs */
	char	*cert_pem[FSTLS_NKINDS];
};

/*
 * Make the CA and certificates; write dir/ca.pem (dir NULL: a new private
 * temporary directory).  Returns 0, or -1 with *err.
 */
int	fstls_make(struct fstls *, const char *dir, const char *const *names,
	    size_t nnames, char **err);
/* Free the PEM strings and remove what fstls_make wrote. */
void	fstls_free(struct fstls *);

#endif
