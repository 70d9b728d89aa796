/* test_file_publish.c - teeu_file_publish with and without link(2).
 *
 * Gramine has no link(2); the publisher then claims the name with O_EXCL
 * and renames over the claim. This test defines link() itself (the static
 * libteeu in this binary resolves to it) so it can make link fail the way
 * Gramine does, and checks both paths keep the one promise callers rely
 * on: a second publisher of the same name gets EEXIST and the first file is
 * left as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "teeu/file.h"

static int g_link_errno; /* 0: the real link(2); else fail with it */

int link(const char *from, const char *to)
{
	if (g_link_errno != 0) {
		errno = g_link_errno;
		return -1;
	}
	return linkat(AT_FDCWD, from, AT_FDCWD, to, 0);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void expect_text(const char *path, const char *text)
{
	char buf[64] = {0};
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	assert_true(fread(buf, 1, sizeof(buf) - 1, f) == strlen(text));
	fclose(f);
	assert_string_equal(buf, text);
}

static void run_publish(int link_errno)
{
	char dir[] = "/tmp/teeu-publish-XXXXXX", tmp[256], final[256], tmp2[256];
	struct stat st;

	assert_non_null(mkdtemp(dir));
	snprintf(tmp, sizeof(tmp), "%s/a.tmp", dir);
	snprintf(tmp2, sizeof(tmp2), "%s/b.tmp", dir);
	snprintf(final, sizeof(final), "%s/object", dir);
	g_link_errno = link_errno;

	write_text(tmp, "first");
	assert_int_equal(teeu_file_publish(tmp, final), 0);
	unlink(tmp);
	expect_text(final, "first");

	/* A second publisher of the name loses, with EEXIST, and changes
	 * nothing; its temporary file is still there for it to remove. */
	write_text(tmp2, "second");
	errno = 0;
	assert_int_equal(teeu_file_publish(tmp2, final), -1);
	assert_int_equal(errno, EEXIST);
	expect_text(final, "first");
	assert_int_equal(stat(tmp2, &st), 0);

	/* A missing temporary file is an error, and leaves no claim behind. */
	unlink(final);
	unlink(tmp2);
	assert_int_equal(teeu_file_publish(tmp2, final), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_not_equal(stat(final, &st), 0);

	g_link_errno = 0;
	assert_int_equal(rmdir(dir), 0);
}

static void test_publish_with_link(void **state)
{
	(void)state;
	run_publish(0);
}

/* As under Gramine: link(2) is not implemented. */
static void test_publish_without_link(void **state)
{
	(void)state;
	run_publish(ENOSYS);
	run_publish(EPERM);
}

/* Any other link failure is reported as is, with no fallback. */
static void test_other_link_errors(void **state)
{
	char dir[] = "/tmp/teeu-publish-XXXXXX", tmp[256], final[256];
	struct stat st;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(tmp, sizeof(tmp), "%s/a.tmp", dir);
	snprintf(final, sizeof(final), "%s/object", dir);
	write_text(tmp, "x");
	g_link_errno = EIO;
	assert_int_equal(teeu_file_publish(tmp, final), -1);
	assert_int_equal(errno, EIO);
	assert_int_not_equal(stat(final, &st), 0);
	g_link_errno = 0;
	unlink(tmp);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_publish_with_link),
	        cmocka_unit_test(test_publish_without_link),
	        cmocka_unit_test(test_other_link_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
