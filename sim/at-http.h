/*
 * at-http.h: the module's own HTTP(S) client for the host (AT+QHTTPCFG,
 * AT+QHTTPURL, AT+QHTTPGET, AT+QHTTPPOST, AT+QHTTPREAD, AT+QHTTPREADFILE,
 * AT+QHTTPSTOP): its settings, the URL typed in data mode, the one request
 * it runs at a time and the response it keeps until it is read.
 */
#ifndef FOTASIM_AT_HTTP_H
#define FOTASIM_AT_HTTP_H

#include <stdint.h>

#include "util.h"
#include "clock.h"
#include "serial-rx.h"
#include "xfer.h"

#define QHTTP_URL_MAX		700	/* AT+QHTTPURL's <URL_length> */
#define QHTTP_TIMEOUT_DEFAULT	60	/* seconds, every <timeout> */
#define QHTTP_BODY_MAX		(16u << 20) /* a response the module keeps */
#define QHTTP_POST_MAX		(1u << 20)  /* AT+QHTTPPOST's <data_length> */
#define QHTTP_HEADERS_MAX	32	/* header lines a typed request has */

struct modem;
struct modem_iface;

struct qhttp {
	struct modem		*m;
	struct modem_iface	*iface;		/* the request's interface: its
						   +QHTTPGET/POST goes there */
	struct modem_iface	*read_iface;	/* the last AT+QHTTPREAD's */
	struct xfer		 xfer;		/* the request, on the stack */
	struct link		*link;		/* its own relay */
	/* AT+QHTTPCFG */
	int			 responseheader;
	int			 sslctxid;
	/* AT+QHTTPURL: the URL, typed in data mode */
	struct serial_rx	 rx;
	struct clock_timer	 url_t;		/* the time to type it */
	char			 url[QHTTP_URL_MAX + 1];
	size_t			 url_len;
	char			 typing[QHTTP_URL_MAX + 1];
	size_t			 typed;
	/* AT+QHTTPPOST: the body, typed in data mode the same way */
	int			 posting;	/* the data mode is the body's */
	int			 requestheader;	/* the host types the request's
						   head too */
	struct buf		 post;		/* a POST's body, or the typed
						   request (requestheader 1) */
	char			*req_url;	/* the typed request's URL */
	const char		*req_headers[QHTTP_HEADERS_MAX + 4];
	size_t			 req_nheaders;
	double			 rsptime;
	const char		*method;	/* "GET" or "POST": the URC */
	/* AT+QHTTPGET: one request at a time, its response kept */
	int			 running;
	int			 have;		/* a response to read */
	uint64_t		 length;	/* Content-Length, if declared */
	int			 length_known;
	struct buf		 head;		/* the response's header lines */
	struct buf		 body;
};

void	qhttp_init(struct qhttp *, struct modem *);
void	qhttp_free(struct qhttp *);
/* Power going away: the request, the URL input and the response go. */
void	qhttp_cancel(struct qhttp *);
/* Whether the host's bytes are the URL being typed. */
int	qhttp_receiving(const struct qhttp *);
/* Whether a request is running (the module runs one HTTP(S) request). */
int	qhttp_busy(const struct qhttp *);
/* The network says something (net_cbs.event). */
void	qhttp_net_event(struct qhttp *, enum net_event, int cid);

#endif
