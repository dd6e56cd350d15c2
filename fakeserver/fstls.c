/*
 * fstls.c: make a throw-away CA and server certificates with OpenSSL.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "fstls.h"
#include "util.h"

/* A fresh P-256 key. */
static EVP_PKEY *
fstls_key(void)
{
	return EVP_EC_gen("P-256");
}

/* Add one X509v3 extension given in OpenSSL's config syntax. */
static int
fstls_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int rc;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return -1;
	rc = X509_add_ext(cert, ext, -1) == 1 ? 0 : -1;
	X509_EXTENSION_free(ext);
	return rc;
}

/*
 * Make a certificate for `key` named cn, signed by issuer/ikey (NULL: self
 * signed), valid from `from` to `to` seconds relative to now.
 */
static X509 *
fstls_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey,
    long from, long to, int ca, const char *san, long serial)
{
	X509 *cert = X509_new();
	X509_NAME *name;

	if (cert == NULL)
		return NULL;
	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
	X509_gmtime_adj(X509_getm_notBefore(cert), from);
	X509_gmtime_adj(X509_getm_notAfter(cert), to);
	X509_set_pubkey(cert, key);
	name = X509_get_subject_name(cert);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"fotasim test", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
	if (ca) {
		if (fstls_ext(cert, issuer ? issuer : cert, NID_basic_constraints,
		    "critical,CA:TRUE") == -1 ||
		    fstls_ext(cert, issuer ? issuer : cert, NID_key_usage,
		    "critical,keyCertSign,cRLSign") == -1)
			goto fail;
	} else {
		if (fstls_ext(cert, issuer, NID_basic_constraints,
		    "CA:FALSE") == -1 ||
		    fstls_ext(cert, issuer, NID_ext_key_usage, "serverAuth") == -1 ||
		    fstls_ext(cert, issuer, NID_subject_alt_name, san) == -1)
			goto fail;
	}
	if (X509_sign(cert, ikey ? ikey : key, EVP_sha256()) == 0)
		goto fail;
	return cert;
fail:
	X509_free(cert);
	return NULL;
}

/* A certificate or key as a PEM string. */
static char *
fstls_pem(X509 *cert, EVP_PKEY *key)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;
	int ok;

	if (b == NULL)
		return NULL;
	if (cert != NULL)
		ok = PEM_write_bio_X509(b, cert);
	else
		ok = PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL);
	if (ok && (n = BIO_get_mem_data(b, &data)) > 0)
		out = xstrndup(data, (size_t)n);
	BIO_free(b);
	return out;
}

/* The subjectAltName value for localhost, 127.0.0.1 and extra names. */
static char *
fstls_san(const char *const *names, size_t n)
{
	struct buf b;
	unsigned char addr[16];
	size_t i;

	buf_init(&b);
	buf_addstr(&b, "DNS:localhost,IP:127.0.0.1,IP:::1");
	for (i = 0; i < n; i++) {
		int ip = inet_pton(AF_INET, names[i], addr) == 1 ||
		    inet_pton(AF_INET6, names[i], addr) == 1;
		buf_addf(&b, ",%s:%s", ip ? "IP" : "DNS", names[i]);
	}
	buf_add(&b, "", 1);
	return (char *)b.data;
}

int
fstls_make(struct fstls *t, const char *dir, const char *const *names,
    size_t nnames, char **err)
{
	EVP_PKEY *cakey = NULL, *rogue = NULL, *key = NULL;
	X509 *ca = NULL, *rogueca = NULL, *cert = NULL;
	char *san = fstls_san(names, nnames), *pem = NULL;
	FILE *fp;
	int i, rc = -1;

	memset(t, 0, sizeof *t);
	if (dir == NULL) {
		char tmpl[] = "/tmp/fotasim-tls-XXXXXX";
		if (mkdtemp(tmpl) == NULL) {
			xasprintf(err, "mkdtemp: %s", strerror(errno));
			goto out;
		}
		t->dir = xstrdup(tmpl);
		t->owndir = 1;
	} else
		t->dir = xstrdup(dir);
	xasprintf(&t->ca_file, "%s/ca.pem", t->dir);

	if ((cakey = fstls_key()) == NULL || (rogue = fstls_key()) == NULL ||
	    (key = fstls_key()) == NULL)
		goto ossl;
	ca = fstls_cert(cakey, "fotasim test CA", NULL, NULL, -3600,
	    86400L * 365, 1, NULL, 1);
	rogueca = fstls_cert(rogue, "fotasim untrusted CA", NULL, NULL, -3600,
	    86400L * 365, 1, NULL, 2);
	if (ca == NULL || rogueca == NULL)
		goto ossl;
	for (i = 0; i < FSTLS_NKINDS; i++) {
		cert = fstls_cert(key, "localhost",
		    i == FSTLS_UNTRUSTED ? rogueca : ca,
		    i == FSTLS_UNTRUSTED ? rogue : cakey,
		    i == FSTLS_EXPIRED ? -86400L * 30 : -3600,
		    i == FSTLS_EXPIRED ? -86400L : 86400L * 30, 0,
		    i == FSTLS_WRONGNAME ? "DNS:wrong.invalid" : san, 10 + i);
		if (cert == NULL || (t->cert_pem[i] = fstls_pem(cert, NULL)) == NULL)
			goto ossl;
		X509_free(cert);
		cert = NULL;
	}
	if ((t->key_pem = fstls_pem(NULL, key)) == NULL ||
	    (pem = fstls_pem(ca, NULL)) == NULL)
		goto ossl;
	if ((fp = fopen(t->ca_file, "w")) == NULL ||
	    fputs(pem, fp) == EOF || fclose(fp) == EOF) {
		xasprintf(err, "%s: %s", t->ca_file, strerror(errno));
		goto out;
	}
	rc = 0;
	goto out;
ossl:
	xasprintf(err, "making test certificates: %s",
	    ERR_error_string(ERR_get_error(), NULL));
out:
	X509_free(cert);
	X509_free(ca);
	X509_free(rogueca);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(rogue);
	EVP_PKEY_free(key);
	free(san);
	free(pem);
	if (rc == -1)
		fstls_free(t);
	return rc;
}

void
fstls_free(struct fstls *t)
{
	int i;

	if (t->ca_file != NULL)
		(void)unlink(t->ca_file);
	if (t->owndir && t->dir != NULL)
		(void)rmdir(t->dir);
	free(t->dir);
	free(t->ca_file);
	free(t->key_pem);
	for (i = 0; i < FSTLS_NKINDS; i++)
		free(t->cert_pem[i]);
	memset(t, 0, sizeof *t);
}
