/* SPDX-License-Identifier: ISC */
/*
 * Atomic output files.  The temporary name is ".<name>.XXXXXX" beside the
 * target so rename(2) never crosses a file system.  Open temporary files are
 * kept in a small fixed table that a signal handler can walk without
 * allocating, so SIGTERM in the middle of a write leaves nothing behind.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sc_io.h"

#define MAX_PENDING 16

struct sc_out {
	FILE *fp;
	char *path; /* target; NULL for stdout */
	char *tmp;  /* temporary file */
	int slot;   /* index in pending[], or -1 */
};

static char pending[MAX_PENDING][PATH_MAX];
static volatile sig_atomic_t pending_used[MAX_PENDING];

static int
pending_add(const char *tmp)
{
	int i;

	if (strlen(tmp) >= PATH_MAX)
		return -1;
	for (i = 0; i < MAX_PENDING; i++)
		if (!pending_used[i]) {
			strcpy(pending[i], tmp);
			pending_used[i] = 1;
			return i;
		}
	return -1;
}

static void
pending_del(int slot)
{
	if (slot >= 0)
		pending_used[slot] = 0;
}

void
sc_out_cleanup_signal(void)
{
	int i;

	for (i = 0; i < MAX_PENDING; i++)
		if (pending_used[i])
			unlink(pending[i]);
}

int
sc_out_mkstemp(char *tmpl, int *slot)
{
	sigset_t all, old;
	int fd, saved;

	/* No signal between creating the file and registering its name. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	fd = mkstemp(tmpl);
	saved = errno;
	*slot = fd == -1 ? -1 : pending_add(tmpl);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return fd;
}

void
sc_out_untrack(int slot)
{
	pending_del(slot);
}

static char *
tmpname(const char *path)
{
	char *copy, *dir, *base, *tmp;
	size_t n;

	if ((copy = strdup(path)) == NULL)
		return NULL;
	dir = dirname(copy);
	n = strlen(dir) + strlen(path) + 16;
	if ((tmp = malloc(n)) != NULL) {
		char *copy2 = strdup(path);

		if (copy2 == NULL) {
			free(tmp);
			free(copy);
			return NULL;
		}
		base = basename(copy2);
		snprintf(tmp, n, "%s/.%s.XXXXXX", dir, base);
		free(copy2);
	}
	free(copy);
	return tmp;
}

/*
 * path with every symbolic link in its last component followed (at most
 * 40, as the kernel does), so that an output through a link writes the
 * link's target instead of replacing the link; the target need not exist.
 * A copy, or NULL when out of memory.
 */
char *
sc_out_target(const char *path)
{
	char *cur, *next, *copy, link[PATH_MAX];
	struct stat st;
	ssize_t n;
	int hops;

	if ((cur = strdup(path)) == NULL)
		return NULL;
	for (hops = 0; hops < 40; hops++) {
		if (lstat(cur, &st) == -1 || !S_ISLNK(st.st_mode))
			break;
		if ((n = readlink(cur, link, sizeof(link) - 1)) <= 0)
			break;
		link[n] = '\0';
		if (link[0] == '/' || strchr(cur, '/') == NULL)
			next = strdup(link);
		else {
			size_t m;

			if ((copy = strdup(cur)) == NULL) {
				free(cur);
				return NULL;
			}
			m = strlen(dirname(copy)) + strlen(link) + 2;
			if ((next = malloc(m)) != NULL)
				snprintf(next, m, "%s/%s", copy, link);
			free(copy);
		}
		free(cur);
		if ((cur = next) == NULL)
			return NULL;
	}
	return cur;
}

int
sc_out_same(const char *a, const char *b)
{
	struct stat sa, sb;
	char *fa, *fb, *da = NULL, *db = NULL, *ca = NULL, *cb = NULL;
	int same = 0;

	if (strcmp(a, "-") == 0 || strcmp(b, "-") == 0)
		return strcmp(a, b) == 0;
	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	/* Not both there yet: the same directory and the same name. */
	fa = sc_out_target(a);
	fb = sc_out_target(b);
	if (fa == NULL || fb == NULL || (da = strdup(fa)) == NULL ||
	    (db = strdup(fb)) == NULL || (ca = strdup(fa)) == NULL ||
	    (cb = strdup(fb)) == NULL)
		same = strcmp(a, b) == 0;
	else if (strcmp(basename(ca), basename(cb)) == 0 &&
	    stat(dirname(da), &sa) == 0 && stat(dirname(db), &sb) == 0)
		same = sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	free(fa);
	free(fb);
	free(da);
	free(db);
	free(ca);
	free(cb);
	return same;
}

/*
 * A device or FIFO (/dev/null, /dev/stdout, a pipe) is written in place:
 * renaming a temporary file over it would replace the device with a file.
 */
static struct sc_out *
open_direct(struct sc_out *o, const char *path, struct sc_err *e)
{
	if ((o->path = strdup(path)) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		free(o);
		return NULL;
	}
	if ((o->fp = fopen(path, "w")) == NULL) {
		sc_err_errno(e, SC_ECANTCREAT, errno, "%s", path);
		free(o->path);
		free(o);
		return NULL;
	}
	return o;
}

struct sc_out *
sc_out_open(const char *path, struct sc_err *e)
{
	struct sc_out *o;
	struct stat st;
	mode_t mask;
	int fd;

	if ((o = calloc(1, sizeof(*o))) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		return NULL;
	}
	o->slot = -1;
	if (strcmp(path, "-") == 0) {
		o->fp = stdout;
		return o;
	}
	/* "dir/name/" names a directory: never a file called name. */
	if (*path != '\0' && path[strlen(path) - 1] == '/') {
		sc_err_errno(e, SC_ECANTCREAT, EISDIR, "%s", path);
		free(o);
		return NULL;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return open_direct(o, path, e);
	/* Through a symbolic link: the target is written, the link kept. */
	if ((o->path = sc_out_target(path)) == NULL ||
	    (o->tmp = tmpname(o->path)) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto fail;
	}
	if ((fd = sc_out_mkstemp(o->tmp, &o->slot)) == -1) {
		sc_err_errno(e, SC_ECANTCREAT, errno, "%s", path);
		free(o->tmp);
		o->tmp = NULL;
		goto fail;
	}
	mask = umask(0);
	umask(mask);
	(void)fchmod(fd, 0666 & ~mask);
	if ((o->fp = fdopen(fd, "w")) == NULL) {
		sc_err_errno(e, SC_ECANTCREAT, errno, "%s", path);
		close(fd);
		goto fail;
	}
	return o;
fail:
	if (o->tmp != NULL)
		unlink(o->tmp);
	pending_del(o->slot);
	free(o->tmp);
	free(o->path);
	free(o);
	return NULL;
}

int
sc_out_probe(const char *path, struct sc_err *e)
{
	struct sc_out *o;
	struct stat st;

	/* stdout, a device or a FIFO is opened when written, not before
	 * (opening a FIFO would wait for its reader). */
	if (strcmp(path, "-") == 0 ||
	    (stat(path, &st) == 0 && !S_ISREG(st.st_mode)))
		return 0;
	if ((o = sc_out_open(path, e)) == NULL)
		return -1;
	sc_out_abort(o);
	return 0;
}

FILE *
sc_out_fp(struct sc_out *o)
{
	return o->fp;
}

const char *
sc_out_name(const struct sc_out *o)
{
	return o->path != NULL ? o->path : "stdout";
}

static void
out_free(struct sc_out *o)
{
	pending_del(o->slot);
	free(o->tmp);
	free(o->path);
	free(o);
}

static void
sync_dir(const char *path)
{
	char *copy;
	int fd;

	if ((copy = strdup(path)) == NULL)
		return;
	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY)) != -1) {
		(void)fsync(fd);
		close(fd);
	}
	free(copy);
}

int
sc_out_commit(struct sc_out *o, struct sc_err *e)
{
	int rc = 0;

	if (o->path == NULL) {
		if (fflush(o->fp) == EOF || ferror(o->fp))
			rc = sc_err_errno(e, SC_EIO, errno, "stdout");
		out_free(o);
		return rc;
	}
	if (o->tmp == NULL) { /* written in place */
		int bad = ferror(o->fp);

		if (fclose(o->fp) == EOF || bad)
			rc = sc_err_errno(e, SC_EIO, errno, "%s", o->path);
		out_free(o);
		return rc;
	}
	if (fflush(o->fp) == EOF || ferror(o->fp))
		rc = sc_err_errno(e, SC_EIO, errno, "%s", o->path);
	else if (fsync(fileno(o->fp)) == -1)
		rc = sc_err_errno(e, SC_EIO, errno, "%s: fsync", o->path);
	if (fclose(o->fp) == EOF && rc == 0)
		rc = sc_err_errno(e, SC_EIO, errno, "%s", o->path);
	if (rc == 0 && rename(o->tmp, o->path) == -1)
		rc = sc_err_errno(e, SC_EIO, errno, "%s: rename", o->path);
	if (rc == -1)
		unlink(o->tmp);
	else
		sync_dir(o->path);
	out_free(o);
	return rc;
}

void
sc_out_abort(struct sc_out *o)
{
	if (o == NULL)
		return;
	if (o->path != NULL) {
		fclose(o->fp);
		if (o->tmp != NULL)
			unlink(o->tmp);
	} else
		fflush(o->fp);
	out_free(o);
}
