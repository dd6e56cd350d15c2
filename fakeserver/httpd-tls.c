/*
 * httpd-tls.c: the HTTPS front.  One listening socket; every accepted TCP
 * connection gets its own OpenSSL session, and the "tls" directives are
 * matched once per connection at accept, so each connection can get its
 * own certificate (good, expired, wrong name, untrusted CA), an aborted
 * handshake, a hang, or an end without close_notify.  After the handshake
 * the plaintext is relayed to libmicrohttpd over a socketpair
 * (MHD_add_connection), so every HTTP fault, raw lies included, works on
 * HTTPS exactly as on the plain port: what MHD or the raw responder writes
 * into the pair reaches the client encrypted.
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "faults.h"
#include "fslog.h"
#include "fsnet.h"
#include "fstls.h"
#include "httpd-int.h"

#define HTTPD_TLS_BUFMAX	65536	/* stop reading a side beyond this */

static const char *const httpd_tls_state_names[HTTPD_TLS_NSTATES] = {
	[HTTPD_TLS_HANDSHAKE] = "HANDSHAKE",
	[HTTPD_TLS_HUNG] = "HUNG",
	[HTTPD_TLS_RELAY] = "RELAY",
	[HTTPD_TLS_DONE] = "DONE",
};

/* The only way to change a TLS connection's state; logs the transition. */
static void
httpd_tls_set_state(struct httpd_tls *c, enum httpd_tls_state state)
{
	if (c->state == state)
		return;
	fslog(FSLOG_DEBUG, "https[%lu]: tls %s -> %s", c->id,
	    httpd_tls_state_names[c->state], httpd_tls_state_names[state]);
	c->state = state;
}

/* Close both sockets and free the connection. */
static void
httpd_tls_free(struct httpd_tls *c)
{
	struct httpd *srv = c->srv;

	httpd_tls_set_state(c, HTTPD_TLS_DONE);
	ev_io_stop(srv->loop, &c->tw);
	ev_io_stop(srv->loop, &c->pw);
	clock_timer_stop(&c->timer);
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	if (c->reset) {
		struct linger l = { 1, 0 };
		(void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	}
	close(c->fd);
	if (c->pfd != -1)
		close(c->pfd);
	if (c->hc != NULL)
		c->hc->tls = NULL;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		srv->tlss = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	buf_free(&c->up);
	buf_free(&c->down);
	free(c);
	fsnet_listener_closed(&srv->lis);
}

/* MHD is done with the connection: end TLS the way the directive says. */
static void
httpd_tls_finish(struct httpd_tls *c)
{
	if (c->reset)
		fslog(FSLOG_DEBUG, "https[%lu]: tls reset", c->id);
	else if (c->noclose)
		fslog(FSLOG_INFO, "https[%lu]: closing without close_notify",
		    c->id);
	else {
		ERR_clear_error();
		(void)SSL_shutdown(c->ssl);	/* sends close_notify */
	}
	httpd_tls_free(c);
}

/* Start or change a watcher so it waits for exactly these events. */
static void
httpd_tls_watch(struct httpd_tls *c, ev_io *w, int fd, int events)
{
	if (ev_is_active(w) && (w->events & (EV_READ | EV_WRITE)) == events)
		return;
	ev_io_stop(c->srv->loop, w);
	if (events == 0)
		return;
	ev_io_set(w, fd, events);
	ev_io_start(c->srv->loop, w);
}

/* Arm both watchers for what each side can make progress on. */
static void
httpd_tls_rearm(struct httpd_tls *c)
{
	int tev = 0, pev = 0;

	if (c->state == HTTPD_TLS_HANDSHAKE)
		tev = c->want_write ? EV_WRITE : EV_READ;
	else if (c->state == HTTPD_TLS_RELAY) {
		if (!c->client_eof && buf_used(&c->up) < HTTPD_TLS_BUFMAX)
			tev |= EV_READ;
		if (c->want_write)
			tev |= EV_WRITE;
		if (buf_used(&c->up) > 0)
			pev |= EV_WRITE;
		if (!c->server_eof && buf_used(&c->down) < HTTPD_TLS_BUFMAX)
			pev |= EV_READ;
	}
	httpd_tls_watch(c, &c->tw, c->fd, tev);
	if (c->pfd != -1)
		httpd_tls_watch(c, &c->pw, c->pfd, pev);
}

/* Handshake done: hand the plaintext side to MHD. */
static int
httpd_tls_attach(struct httpd_tls *c)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) == -1) {
		fslog(FSLOG_ERROR, "https[%lu]: socketpair: %s", c->id,
		    strerror(errno));
		return -1;
	}
	c->pfd = sv[0];
	c->mhd_fd = sv[1];
	/* MHD owns sv[1] from here on, even on failure. */
	if (MHD_add_connection(c->srv->mhd, sv[1],
	    (const struct sockaddr *)&c->peer, c->peerlen) != MHD_YES) {
		fslog(FSLOG_ERROR, "https[%lu]: MHD_add_connection failed",
		    c->id);
		return -1;
	}
	return 0;
}

/* Move bytes between the TLS session and MHD until nothing moves. */
static int
httpd_tls_relay(struct httpd_tls *c)
{
	unsigned char tmp[16384];
	int moved, n, err;
	ssize_t k;

	do {
		moved = 0;
		c->want_write = 0;
		if (!c->client_eof && buf_used(&c->up) < HTTPD_TLS_BUFMAX) {
			ERR_clear_error();
			if ((n = SSL_read(c->ssl, tmp, sizeof tmp)) > 0) {
				buf_add(&c->up, tmp, (size_t)n);
				moved = 1;
			} else if ((err = SSL_get_error(c->ssl, n)) ==
			    SSL_ERROR_WANT_WRITE)
				c->want_write = 1;
			else if (err == SSL_ERROR_ZERO_RETURN)
				c->client_eof = moved = 1;
			else if (err != SSL_ERROR_WANT_READ)
				return -1;	/* reset, or EOF without close_notify */
		}
		if (c->up_gone)
			buf_reset(&c->up);	/* nobody reads it any more */
		if (buf_used(&c->up) > 0) {
			k = send(c->pfd, buf_head(&c->up), buf_used(&c->up),
			    MSG_NOSIGNAL);
			if (k > 0) {
				buf_drain(&c->up, (size_t)k);
				moved = 1;
			} else if (errno != EAGAIN && errno != EINTR) {
				/*
				 * MHD closed its end before reading all of
				 * the request: it may have answered it first
				 * (431 to headers too large for its memory),
				 * and that answer is still to be read from
				 * the pair.  Drop what the client sends from
				 * now on, but do not stop reading MHD.
				 */
				buf_reset(&c->up);
				c->up_gone = moved = 1;
			}
		}
		if (c->client_eof && !c->up_shut && !c->up_gone &&
		    buf_used(&c->up) == 0) {
			(void)shutdown(c->pfd, SHUT_WR);
			c->up_shut = 1;
		}
		if (!c->server_eof && buf_used(&c->down) < HTTPD_TLS_BUFMAX) {
			k = recv(c->pfd, tmp, sizeof tmp, 0);
			if (k > 0) {
				buf_add(&c->down, tmp, (size_t)k);
				moved = 1;
			} else if (k == 0 || (errno != EAGAIN && errno != EINTR))
				c->server_eof = moved = 1;
		}
		if (buf_used(&c->down) > 0) {
			ERR_clear_error();
			n = SSL_write(c->ssl, buf_head(&c->down),
			    (int)buf_used(&c->down));
			if (n > 0) {
				buf_drain(&c->down, (size_t)n);
				moved = 1;
			} else if ((err = SSL_get_error(c->ssl, n)) ==
			    SSL_ERROR_WANT_WRITE)
				c->want_write = 1;
			else if (err != SSL_ERROR_WANT_READ)
				return -1;
		}
	} while (moved);
	return 0;
}

/* Advance the connection as far as the sockets allow. */
static void
httpd_tls_pump(struct httpd_tls *c)
{
	int rc, err;

	if (c->state == HTTPD_TLS_HANDSHAKE) {
		ERR_clear_error();
		rc = SSL_accept(c->ssl);
		if (rc != 1) {
			err = SSL_get_error(c->ssl, rc);
			if (err == SSL_ERROR_WANT_READ ||
			    err == SSL_ERROR_WANT_WRITE) {
				c->want_write = err == SSL_ERROR_WANT_WRITE;
				httpd_tls_rearm(c);
				return;
			}
			fslog(c->fault != NULL ? FSLOG_INFO : FSLOG_DEBUG,
			    "https[%lu]: handshake failed: %s", c->id,
			    ERR_reason_error_string(ERR_peek_last_error()) ?
			    ERR_reason_error_string(ERR_peek_last_error()) :
			    "connection closed");
			httpd_tls_free(c);
			return;
		}
		clock_timer_stop(&c->timer);
		httpd_tls_set_state(c, HTTPD_TLS_RELAY);
		if (httpd_tls_attach(c) == -1) {
			httpd_tls_free(c);
			return;
		}
	}
	if (c->state != HTTPD_TLS_RELAY)
		return;
	if (httpd_tls_relay(c) == -1) {
		fslog(FSLOG_DEBUG, "https[%lu]: client went away", c->id);
		httpd_tls_free(c);
		return;
	}
	if (c->server_eof && buf_used(&c->down) == 0) {
		httpd_tls_finish(c);
		return;
	}
	httpd_tls_rearm(c);
}

/* Either socket is ready. */
static void
httpd_tls_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	httpd_tls_pump(w->data);
}

/* A hung or slow handshake reached the idle timeout. */
static void
httpd_tls_timer_cb(struct clock_timer *t, void *arg)
{
	struct httpd_tls *c = arg;

	(void)t;
	fslog(FSLOG_INFO, "https[%lu]: handshake idle timeout", c->id);
	httpd_tls_free(c);
}

/* OpenSSL's ClientHello hook: abort the handshake if the directive says. */
static int
httpd_tls_hello_cb(SSL *ssl, int *alert, void *arg)
{
	struct httpd_tls *c = SSL_get_app_data(ssl);

	(void)arg;
	if (c != NULL && c->fault != NULL &&
	    c->fault->action == FAULT_TLS_ABORT) {
		fslog(FSLOG_INFO, "https[%lu]: handshake_failure alert",
		    c->id);
		*alert = SSL_AD_HANDSHAKE_FAILURE;
		return SSL_CLIENT_HELLO_ERROR;
	}
	return SSL_CLIENT_HELLO_SUCCESS;
}

/* Set up a connection the listener accepted: match the tls directives,
 * pick its certificate and start the handshake. */
void
httpd_tls_accept(void *arg, int fd, const struct sockaddr_storage *peer,
    socklen_t peerlen)
{
	struct httpd *srv = arg;
	struct httpd_tls *c = xcalloc(1, sizeof *c);
	enum fstls_kind kind = FSTLS_GOOD;
	const struct fault *f = NULL;

	c->srv = srv;
	c->fd = fd;
	c->pfd = c->mhd_fd = -1;
	c->id = ++srv->nconn;
	c->peer = *peer;
	c->peerlen = peerlen;
	buf_init(&c->up);
	buf_init(&c->down);
	ev_io_init(&c->tw, httpd_tls_io_cb, fd, EV_READ);
	ev_io_init(&c->pw, httpd_tls_io_cb, fd, EV_READ);
	c->tw.data = c->pw.data = c;
	clock_timer_init(&c->timer, srv->cfg.clock, httpd_tls_timer_cb, c);
	clock_timer_watchdog(&c->timer);	/* waits on the client */
	c->next = srv->tlss;
	if (c->next != NULL)
		c->next->prev = c;
	srv->tlss = c;
	fslog(FSLOG_DEBUG, "https[%lu]: accepted", c->id);
	if (srv->cfg.faults != NULL)
		f = faults_match(srv->cfg.faults, FAULT_TLS, "*", NULL, c->id);
	c->fault = f;
	if (f != NULL) {
		switch (f->action) {
		case FAULT_TLS_EXPIRED:
			kind = FSTLS_EXPIRED;
			break;
		case FAULT_TLS_WRONGNAME:
			kind = FSTLS_WRONGNAME;
			break;
		case FAULT_TLS_UNTRUSTED:
			kind = FSTLS_UNTRUSTED;
			break;
		case FAULT_TLS_NOCLOSE:
			c->noclose = 1;
			break;
		default:
			break;
		}
	}
	clock_timer_start(&c->timer, srv->idle);
	if (f != NULL && f->action == FAULT_HANG) {
		/* Accept and never answer, until the idle timeout. */
		httpd_tls_set_state(c, HTTPD_TLS_HUNG);
		return;
	}
	if ((c->ssl = SSL_new(srv->ctx[kind])) == NULL ||
	    SSL_set_fd(c->ssl, fd) != 1) {
		fslog(FSLOG_ERROR, "https[%lu]: SSL_new: %s", c->id,
		    ERR_error_string(ERR_get_error(), NULL));
		httpd_tls_free(c);
		return;
	}
	SSL_set_app_data(c->ssl, c);
	SSL_set_mode(c->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	httpd_tls_pump(c);
}

/* An SSL_CTX serving one of the generated certificates. */
static SSL_CTX *
httpd_tls_ctx(const struct fstls *t, enum fstls_kind kind)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	BIO *cb = BIO_new_mem_buf(t->cert_pem[kind], -1);
	BIO *kb = BIO_new_mem_buf(t->key_pem, -1);
	X509 *cert = cb != NULL ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
	EVP_PKEY *key = kb != NULL ?
	    PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
	int ok = ctx != NULL && cert != NULL && key != NULL &&
	    SSL_CTX_use_certificate(ctx, cert) == 1 &&
	    SSL_CTX_use_PrivateKey(ctx, key) == 1;

	if (ok)
		SSL_CTX_set_client_hello_cb(ctx, httpd_tls_hello_cb, NULL);
	X509_free(cert);
	EVP_PKEY_free(key);
	BIO_free(cb);
	BIO_free(kb);
	if (!ok) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int
httpd_tls_start(struct httpd *srv, char **err)
{
	int k;

	for (k = 0; k < FSTLS_NKINDS; k++)
		if ((srv->ctx[k] = httpd_tls_ctx(srv->cfg.tls, k)) == NULL) {
			xasprintf(err, "https: loading certificates: %s",
			    ERR_error_string(ERR_get_error(), NULL));
			return -1;
		}
	return 0;
}

struct httpd_tls *
httpd_tls_find(struct httpd *srv, int mhd_fd)
{
	struct httpd_tls *c;

	for (c = srv->tlss; c != NULL; c = c->next)
		if (c->mhd_fd == mhd_fd && c->hc == NULL)
			return c;
	return NULL;
}

void
httpd_tls_stop(struct httpd *srv)
{
	int k;

	while (srv->tlss != NULL)
		httpd_tls_free(srv->tlss);
	for (k = 0; k < FSTLS_NKINDS; k++)
		SSL_CTX_free(srv->ctx[k]);
}
