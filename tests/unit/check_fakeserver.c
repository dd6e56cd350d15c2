/*
 * check_fakeserver.c: the in-process API (fakeserver.h) on a caller's loop,
 * downloaded from by libcurl in a second thread.
 */
#include "config.h"

#include <check.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "fakeserver.h"
#include "util.h"

struct fetch {
	char		 url[128];
	const char	*ca;
	struct buf	 body;
	long		 code;
	CURLcode	 rc;
};

struct client {
	struct fetch	 f[3];
	ev_async	 done;
	struct ev_loop	*loop;
};

/* libcurl write callback: append to the fetch's buffer. */
static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	struct fetch *f = arg;

	buf_add(&f->body, p, size * n);
	return size * n;
}

/* The client thread: three downloads, then wake the loop. */
static void *
client_run(void *arg)
{
	struct client *c = arg;
	size_t i;

	for (i = 0; i < nitems(c->f); i++) {
		CURL *h = curl_easy_init();
		curl_easy_setopt(h, CURLOPT_URL, c->f[i].url);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &c->f[i]);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
		if (c->f[i].ca != NULL)
			curl_easy_setopt(h, CURLOPT_CAINFO, c->f[i].ca);
		c->f[i].rc = curl_easy_perform(h);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->f[i].code);
		curl_easy_cleanup(h);
	}
	ev_async_send(c->loop, &c->done);
	return NULL;
}

/* The downloads are over: leave the loop. */
static void
client_done_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

/* Make a private root holding one file; returns the directory. */
static char *
make_root(const char *content)
{
	char tmpl[] = "/tmp/check-fakeserver-XXXXXX", *dir, *path;
	FILE *fp;

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	dir = xstrdup(tmpl);
	xasprintf(&path, "%s/fw.bin", dir);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(content, fp);
	fclose(fp);
	free(path);
	return dir;
}

/* Remove make_root's directory. */
static void
remove_root(char *dir)
{
	char *path;

	xasprintf(&path, "%s/fw.bin", dir);
	unlink(path);
	free(path);
	rmdir(dir);
	free(dir);
}

START_TEST(test_serve_on_callers_loop)
{
	static const char content[] = "firmware bytes\n";
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct clock *clk;
	struct fakeserver_config cfg;
	struct fakeserver *fs;
	struct client c;
	pthread_t th;
	char *err = NULL, *root = make_root(content), *ca;
	size_t i;

	clk = clock_new(loop, 1);
	memset(&cfg, 0, sizeof cfg);
	cfg.root = root;
	cfg.clock = clk;
	cfg.anonymous = 1;
	fs = fakeserver_start(loop, &cfg, &err);
	ck_assert_msg(fs != NULL, "%s", err);
	ck_assert_str_eq(fakeserver_address(fs), "127.0.0.1");
	ck_assert_int_gt(fakeserver_port(fs, "ftp"), 0);
	ck_assert_int_gt(fakeserver_port(fs, "http"), 0);
	ck_assert_int_gt(fakeserver_port(fs, "https"), 0);
	ck_assert_int_eq(fakeserver_port(fs, "gopher"), -1);
	ca = xstrdup(fakeserver_ca_file(fs));
	ck_assert_int_eq(access(ca, R_OK), 0);

	memset(&c, 0, sizeof c);
	c.loop = loop;
	snprintf(c.f[0].url, sizeof c.f[0].url, "ftp://127.0.0.1:%d/fw.bin",
	    fakeserver_port(fs, "ftp"));
	snprintf(c.f[1].url, sizeof c.f[1].url, "http://127.0.0.1:%d/fw.bin",
	    fakeserver_port(fs, "http"));
	snprintf(c.f[2].url, sizeof c.f[2].url, "https://localhost:%d/fw.bin",
	    fakeserver_port(fs, "https"));
	c.f[2].ca = ca;
	ev_async_init(&c.done, client_done_cb);
	ev_async_start(loop, &c.done);
	ck_assert_int_eq(pthread_create(&th, NULL, client_run, &c), 0);
	ev_run(loop, 0);
	pthread_join(th, NULL);

	for (i = 0; i < nitems(c.f); i++) {
		ck_assert_msg(c.f[i].rc == CURLE_OK, "%s: %s", c.f[i].url,
		    curl_easy_strerror(c.f[i].rc));
		ck_assert_uint_eq(buf_used(&c.f[i].body), strlen(content));
		ck_assert(memcmp(buf_head(&c.f[i].body), content,
		    strlen(content)) == 0);
		buf_free(&c.f[i].body);
	}
	ck_assert_int_eq(c.f[0].code, 226);
	ck_assert_int_eq(c.f[1].code, 200);

	ev_async_stop(loop, &c.done);
	fakeserver_stop(fs);
	ck_assert_int_eq(access(ca, F_OK), -1);	/* certificates cleaned up */
	free(ca);
	clock_free(clk);
	ev_loop_destroy(loop);
	remove_root(root);
}
END_TEST

START_TEST(test_start_errors)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct clock *clk;
	struct fakeserver_config cfg;
	char *err = NULL, *root = make_root("x");

	clk = clock_new(loop, 1);
	memset(&cfg, 0, sizeof cfg);
	cfg.clock = clk;
	cfg.ftp_port = 0;
	cfg.http_port = cfg.https_port = FAKESERVER_OFF;
	cfg.root = "/nonexistent/fotasim";
	ck_assert_ptr_null(fakeserver_start(loop, &cfg, &err));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/fotasim"));
	free(err);

	cfg.root = root;
	cfg.faults_text = "ftp RETR reply 550\nftp PASV launch\n";
	ck_assert_ptr_null(fakeserver_start(loop, &cfg, &err));
	ck_assert_str_eq(err, "<inline>:2:10: unknown word \"launch\"");
	free(err);

	cfg.faults_text = NULL;
	cfg.bind = "not-an-address";
	ck_assert_ptr_null(fakeserver_start(loop, &cfg, &err));
	ck_assert_ptr_nonnull(strstr(err, "not-an-address"));
	free(err);
	clock_free(clk);
	ev_loop_destroy(loop);
	remove_root(root);
}
END_TEST

/* Collect the suite. */
static Suite *
fakeserver_suite(void)
{
	Suite *s = suite_create("fakeserver");
	TCase *tc = tcase_create("api");

	tcase_add_test(tc, test_serve_on_callers_loop);
	tcase_add_test(tc, test_start_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fakeserver_suite());
	int failed;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	return failed == 0 ? 0 : 1;
}
