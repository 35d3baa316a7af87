/* SPDX-License-Identifier: MIT */
/*
 * tests/plot/test_csvread.c - the shared RFC 4180 reader: quoted fields,
 * doubled quotes, commas and newlines inside quotes, CRLF, lookup by
 * column name, and errors that name the file, the line and the problem.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pagebench/csvread.h"
#include "pbtest.h"

static int parse(const char *s, struct pb_csv *t, char *err, size_t len)
{
	return pb_csv_parse(s, strlen(s), "t.csv", t, err, len);
}

int main(void)
{
	struct pb_csv t;
	char err[4600];

	/* quotes, doubled quotes, comma and newline inside quotes, CRLF */
	const char *a = "schema_version,workload,policy,frames\r\n"
			"1,\"zipf:pages=10,alpha=0.9\",lru,50\r\n"
			"1,\"say \"\"hi\"\",\nnext\",\"\",100\n"
			"1,plain,opt,\"150\"";
	PB_CHECK(parse(a, &t, err, sizeof(err)) == 0);
	PB_CHECK_EQ_U64(t.ncols, 4);
	PB_CHECK_EQ_U64(t.nrows, 3);
	PB_CHECK(!strcmp(pb_csv_get(&t, 0, "workload"), "zipf:pages=10,alpha=0.9"));
	PB_CHECK(!strcmp(pb_csv_get(&t, 0, "frames"), "50")); /* no \r left */
	PB_CHECK(!strcmp(pb_csv_get(&t, 1, "workload"), "say \"hi\",\nnext"));
	PB_CHECK(!strcmp(pb_csv_get(&t, 1, "policy"), ""));
	PB_CHECK(!strcmp(pb_csv_get(&t, 2, "frames"), "150"));
	PB_CHECK_EQ_U64(t.line[0], 2);
	PB_CHECK_EQ_U64(t.line[1], 3);
	PB_CHECK_EQ_U64(t.line[2], 5); /* the quoted newline counts */
	PB_CHECK(pb_csv_col(&t, "policy") == 2);
	PB_CHECK(pb_csv_col(&t, "nope") == -1);
	PB_CHECK(!strcmp(pb_csv_get(&t, 0, "nope"), ""));
	PB_CHECK(!strcmp(pb_csv_cell(&t, 99, 0), ""));
	pb_csv_free(&t);

	/* header only; trailing newline; empty last field */
	PB_CHECK(parse("a,b\n", &t, err, sizeof(err)) == 0 && t.nrows == 0 && t.ncols == 2);
	pb_csv_free(&t);
	PB_CHECK(parse("a,b\n1,\n", &t, err, sizeof(err)) == 0 && t.nrows == 1);
	PB_CHECK(!strcmp(pb_csv_get(&t, 0, "b"), ""));
	pb_csv_free(&t);

	/* errors: line and problem named */
	PB_CHECK(parse("", &t, err, sizeof(err)) == -EINVAL);
	PB_CHECK_MSG(strstr(err, "t.csv:1:") && strstr(err, "empty"), "%s", err);
	PB_CHECK(parse("a,b\n1,2\n3\n", &t, err, sizeof(err)) == -EINVAL);
	PB_CHECK_MSG(strstr(err, "t.csv:3:") && strstr(err, "1 fields"), "%s", err);
	PB_CHECK(parse("a,b\n1,2\n3,\"open\n", &t, err, sizeof(err)) == -EINVAL);
	PB_CHECK_MSG(strstr(err, "t.csv:3:") && strstr(err, "not closed"), "%s", err);
	PB_CHECK(parse("a,b\n1,x\"y\n", &t, err, sizeof(err)) == -EINVAL);
	PB_CHECK_MSG(strstr(err, "t.csv:2:") && strstr(err, "quote inside"), "%s", err);
	PB_CHECK(parse("a,b\n\"1\"x,2\n", &t, err, sizeof(err)) == -EINVAL);
	PB_CHECK_MSG(strstr(err, "t.csv:2:") && strstr(err, "after a closing quote"), "%s", err);
	PB_CHECK(pb_csv_parse("a,b\n1,\0", 7, "t.csv", &t, err, sizeof(err)) == -EINVAL);
	PB_CHECK_MSG(strstr(err, "NUL"), "%s", err);
	PB_CHECK(t.nrows == 0 && t.cells == NULL); /* emptied on error */

	/* files: read back, and a missing one */
	const char *td = getenv("TMPDIR");
	char tp[4200];
	snprintf(tp, sizeof(tp), "%s/pbcsvXXXXXX", td && *td ? td : "/tmp");
	int fd = mkstemp(tp);
	PB_CHECK(fd >= 0);
	const char *body = "kernel,threads\n\"a,b\",2\n";
	PB_CHECK(write(fd, body, strlen(body)) == (ssize_t)strlen(body));
	close(fd);
	PB_CHECK(pb_csv_read_file(tp, &t, err, sizeof(err)) == 0);
	PB_CHECK(t.nrows == 1 && !strcmp(pb_csv_get(&t, 0, "kernel"), "a,b"));
	pb_csv_free(&t);
	unlink(tp);
	PB_CHECK(pb_csv_read_file(tp, &t, err, sizeof(err)) == -ENOENT);
	PB_CHECK_MSG(strstr(err, tp) != NULL, "%s", err);
	return pb_test_done();
}
