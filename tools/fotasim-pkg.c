/*
 * fotasim-pkg.c: create, inspect and verify firmware packages, and write the
 * deterministic firmware images they are built from.
 *
 *   fotasim-pkg image  --model M --revision REV [--size BYTES] -o FILE
 *   fotasim-pkg create --model M --from REV --to REV [--size BYTES]
 *                      [--full|--delta] -o FILE
 *   fotasim-pkg create [--from-image FILE] [--to-image FILE] ... -o FILE
 *   fotasim-pkg inspect FILE
 *   fotasim-pkg verify FILE
 *   fotasim-pkg --help | --version
 *
 * Exit status: 0 success, 1 a package is bad or an I/O error, 2 usage.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/package.h"
#include "util.h"

struct pkg_opts {
	const char	*model;
	const char	*revision;
	const char	*from;
	const char	*to;
	const char	*out;
	const char	*from_image;
	const char	*to_image;
	uint64_t	 size;
	enum pkg_kind	 kind;
};

/* Print the synopsis on f and return status. */
static int
pkg_synopsis(FILE *f, int status)
{
	fprintf(f,
	    "usage: fotasim-pkg image --model M --revision REV [--size BYTES] -o FILE\n"
	    "       fotasim-pkg create --model M --from REV --to REV [--size BYTES]\n"
	    "                          [--full|--delta] -o FILE\n"
	    "       fotasim-pkg create [--from-image FILE] [--to-image FILE]\n"
	    "                          [--full|--delta] -o FILE\n"
	    "       fotasim-pkg inspect FILE\n"
	    "       fotasim-pkg verify FILE\n"
	    "       fotasim-pkg --help | --version\n");
	return status;
}

/* Print the synopsis on stderr and return the usage exit status. */
static int
pkg_usage(void)
{
	return pkg_synopsis(stderr, 2);
}

/* Parse the options shared by image and create; returns 0 or 2. */
static int
pkg_parse_opts(int argc, char **argv, struct pkg_opts *o)
{
	static const struct option longopts[] = {
		{ "model",	required_argument, NULL, 'm' },
		{ "revision",	required_argument, NULL, 'r' },
		{ "from",	required_argument, NULL, 'f' },
		{ "to",		required_argument, NULL, 't' },
		{ "size",	required_argument, NULL, 's' },
		{ "full",	no_argument,	   NULL, 'F' },
		{ "delta",	no_argument,	   NULL, 'D' },
		{ "output",	required_argument, NULL, 'o' },
		{ "from-image",	required_argument, NULL, 'S' },
		{ "to-image",	required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long long v;
	int c;

	memset(o, 0, sizeof *o);
	o->model = FIRMWARE_DEFAULT_MODEL;
	o->size = FIRMWARE_DEFAULT_SIZE;
	o->kind = PKG_DELTA;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': o->model = optarg; break;
		case 'r': o->revision = optarg; break;
		case 'f': o->from = optarg; break;
		case 't': o->to = optarg; break;
		case 'o': o->out = optarg; break;
		case 'S': o->from_image = optarg; break;
		case 'T': o->to_image = optarg; break;
		case 'F': o->kind = PKG_FULL; break;
		case 'D': o->kind = PKG_DELTA; break;
		case 's':
			if (parse_size(optarg, &v) != 0 || v < IMAGE_MIN_SIZE ||
			    v > IMAGE_MAX_SIZE) {
				warnx_("--size: need %d..%llu bytes (k/M/G allowed)",
				    IMAGE_MIN_SIZE, IMAGE_MAX_SIZE);
				return 2;
			}
			o->size = v;
			break;
		default:
			return 2;
		}
	}
	if (optind != argc || o->out == NULL) {
		warnx_("need -o FILE and no extra arguments");
		return 2;
	}
	if (!image_name_ok(o->model, IMAGE_MODEL_MAX)) {
		warnx_("bad model name '%s'", o->model);
		return 2;
	}
	return 0;
}

/* Generate an image into a malloc'd buffer; NULL on bad names. */
static unsigned char *
pkg_make_image(const char *model, const char *rev, uint64_t size)
{
	unsigned char *p;

	if (!image_name_ok(rev, IMAGE_REV_MAX)) {
		warnx_("bad revision name '%s'", rev);
		return NULL;
	}
	p = xmalloc((size_t)size);
	if (image_read(model, rev, size, 0, p, (size_t)size) != 0)
		fatal("image_read refused checked arguments");
	return p;
}

/* Write a buffer to a file; returns 0 or 1. */
static int
pkg_write_file(const char *path, const void *p, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(p, 1, len, f) != len || fclose(f) != 0) {
		warnx_("%s: %s", path, strerror(errno));
		return 1;
	}
	return 0;
}

/* Read a whole file into memory; returns 0 or 1. */
static int
pkg_read_file(const char *path, unsigned char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	unsigned char chunk[65536];
	size_t n;

	if (f == NULL) {
		warnx_("%s: %s", path, strerror(errno));
		return 1;
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	if (ferror(f)) {
		warnx_("%s: read error", path);
		fclose(f);
		buf_free(&b);
		return 1;
	}
	fclose(f);
	*out = b.data;
	*len = b.len;
	return 0;
}

/* fotasim-pkg image: write the deterministic image of a revision. */
static int
pkg_cmd_image(int argc, char **argv)
{
	struct pkg_opts o;
	unsigned char *img;
	int rc;

	if (pkg_parse_opts(argc, argv, &o) != 0 || o.revision == NULL)
		return pkg_usage();
	if ((img = pkg_make_image(o.model, o.revision, o.size)) == NULL)
		return 2;
	rc = pkg_write_file(o.out, img, (size_t)o.size);
	free(img);
	return rc;
}

/*
 * Load one side of a package: an image file (its identity block names the
 * revision), or the generated image of a revision.  NULL on error.
 */
static unsigned char *
pkg_load_side(const struct pkg_opts *o, const char *file, const char **rev,
    char *revbuf, uint64_t *size)
{
	char model[IMAGE_MODEL_MAX];
	unsigned char *p;
	uint64_t isz;
	size_t len;

	if (file == NULL) {
		if (*rev == NULL) {
			warnx_("need --from/--to REV or --from-image/--to-image FILE");
			return NULL;
		}
		*size = o->size;
		return pkg_make_image(o->model, *rev, o->size);
	}
	if (pkg_read_file(file, &p, &len) != 0)
		return NULL;
	if (image_identify(p, len, model, revbuf, &isz) != 0 || isz != len) {
		warnx_("%s: not a firmware image (no valid identity block)", file);
		free(p);
		return NULL;
	}
	if (strcmp(model, o->model) != 0 || (*rev != NULL &&
	    strcmp(*rev, revbuf) != 0)) {
		warnx_("%s: image is %s %s, not %s %s", file, model, revbuf,
		    o->model, *rev != NULL ? *rev : "");
		free(p);
		return NULL;
	}
	*rev = revbuf;
	*size = len;
	return p;
}

/* fotasim-pkg create: build a full or delta package between two images. */
static int
pkg_cmd_create(int argc, char **argv)
{
	struct pkg_opts o;
	unsigned char *src, *tgt, *pkg = NULL;
	char from[IMAGE_REV_MAX], to[IMAGE_REV_MAX];
	uint64_t src_len, tgt_len;
	size_t len = 0;
	int rc;

	if (pkg_parse_opts(argc, argv, &o) != 0)
		return pkg_usage();
	if ((src = pkg_load_side(&o, o.from_image, &o.from, from,
	    &src_len)) == NULL)
		return o.from_image ? 1 : 2;
	if ((tgt = pkg_load_side(&o, o.to_image, &o.to, to, &tgt_len)) == NULL) {
		free(src);
		return o.to_image ? 1 : 2;
	}
	rc = pkg_build(o.kind, o.model, o.from, src, src_len, o.to, tgt,
	    tgt_len, &pkg, &len);
	if (rc != 0)
		warnx_("cannot build package: %s", pkg_strerror(rc));
	else
		rc = pkg_write_file(o.out, pkg, len);
	free(src);
	free(tgt);
	free(pkg);
	return rc ? 1 : 0;
}

/* Print a header in key: value lines. */
static void
pkg_print_header(const struct pkg_header *h)
{
	char hex[2 * PKG_MD5_LEN + 1];

	printf("format-version: %u\n", h->version);
	printf("kind: %s\n", pkg_kind_name(h->kind));
	printf("model: %s\n", h->model);
	printf("source-revision: %s\n", h->source);
	printf("target-revision: %s\n", h->target);
	printf("source-size: %llu\n", (unsigned long long)h->source_size);
	printf("target-size: %llu\n", (unsigned long long)h->target_size);
	printf("payload-size: %llu\n", (unsigned long long)h->payload_size);
	pkg_md5_hex(h->source_md5, hex);
	printf("source-md5: %s\n", hex);
	pkg_md5_hex(h->target_md5, hex);
	printf("target-md5: %s\n", hex);
	pkg_md5_hex(h->payload_md5, hex);
	printf("payload-md5: %s\n", hex);
}

/* fotasim-pkg inspect: print the header (checked, but not the payload). */
static int
pkg_cmd_inspect(const char *path)
{
	struct pkg_header h;
	unsigned char *p;
	const char *why;
	size_t len;
	int rc;

	if (pkg_read_file(path, &p, &len) != 0)
		return 1;
	rc = pkg_header_decode(p, len, &h, &why);
	if (rc == 0) {
		pkg_print_header(&h);
		printf("file-size: %zu\n", len);
	} else
		warnx_("%s: %s", path, why);
	free(p);
	return rc ? 1 : 0;
}

/*
 * fotasim-pkg verify: check the whole package; when the source is a
 * generated image, also apply it and compare the result's MD5.
 */
static int
pkg_cmd_verify(const char *path)
{
	struct pkg_mem mem, srcmem;
	struct pkg_source pkg = { pkg_mem_read, &mem };
	struct pkg_source src = { pkg_mem_read, &srcmem };
	struct pkg_header h;
	struct pkg_apply *a;
	unsigned char *p, *img = NULL, *out = NULL, md5[PKG_MD5_LEN];
	const char *why = NULL;
	size_t len;
	int rc;

	if (pkg_read_file(path, &p, &len) != 0)
		return 1;
	mem.data = p;
	mem.len = len;
	if ((rc = pkg_check(&pkg, len, &h, &why)) != 0) {
		warnx_("%s: %s: %s", path, pkg_strerror(rc), why ? why : "");
		free(p);
		return 1;
	}
	printf("%s: package ok (%s %s -> %s, %s)\n", path, h.model, h.source,
	    h.target, pkg_kind_name(h.kind));
	/* The generated source image is the only source this tool knows. */
	if (h.source_size >= IMAGE_MIN_SIZE) {
		img = xmalloc((size_t)h.source_size);
		if (image_read(h.model, h.source, h.source_size, 0, img,
		    (size_t)h.source_size) != 0)
			fatal("image_read refused checked arguments");
		pkg_md5_mem(img, (size_t)h.source_size, md5);
	}
	if (img == NULL || memcmp(md5, h.source_md5, PKG_MD5_LEN) != 0) {
		printf("%s: source is not a generated image; apply not checked\n",
		    path);
		free(img);
		free(p);
		return 0;
	}
	srcmem.data = img;
	srcmem.len = h.source_size;
	out = xmalloc((size_t)h.target_size);
	rc = pkg_apply_open(&h, &pkg, &src, &a);
	if (rc == 0) {
		rc = pkg_apply_read(a, 0, out, (size_t)h.target_size);
		pkg_apply_close(a);
	}
	if (rc == 0) {
		pkg_md5_mem(out, (size_t)h.target_size, md5);
		if (memcmp(md5, h.target_md5, PKG_MD5_LEN) != 0)
			rc = PKG_ERR_RESULT;
	}
	if (rc != 0)
		warnx_("%s: applying to the generated %s image: %s", path,
		    h.source, pkg_strerror(rc));
	else
		printf("%s: applies to the generated %s image: target MD5 ok\n",
		    path, h.source);
	free(out);
	free(img);
	free(p);
	return rc ? 1 : 0;
}

int
main(int argc, char **argv)
{
	util_set_progname(argv[0]);
	if (argc < 2)
		return pkg_usage();
	if (strcmp(argv[1], "--help") == 0 && argc == 2)
		return pkg_synopsis(stdout, 0);
	if (strcmp(argv[1], "--version") == 0 && argc == 2) {
		printf("fotasim-pkg %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "image") == 0)
		return pkg_cmd_image(argc - 1, argv + 1);
	if (strcmp(argv[1], "create") == 0)
		return pkg_cmd_create(argc - 1, argv + 1);
	if (strcmp(argv[1], "inspect") == 0 && argc == 3)
		return pkg_cmd_inspect(argv[2]);
	if (strcmp(argv[1], "verify") == 0 && argc == 3)
		return pkg_cmd_verify(argv[2]);
	return pkg_usage();
}
