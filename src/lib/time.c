/* time.c - RFC 3339 parsing and formatting without the C library's locale
 * and time-zone state (timegm is not standard C; this is days-from-civil).
 *
 * The text is read through struct teeu_buf like any other untrusted input.
 */
#include "teeu/time.h"

#include <stdio.h>
#include <string.h>

#include "teeu/buf.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int get_digits(struct teeu_buf *b, int count, unsigned *out)
{
	unsigned v = 0;
	uint8_t c;
	for (int i = 0; i < count; i++) {
		if (teeu_buf_get_u8(b, &c) != 0 || c < '0' || c > '9')
			return -1;
		v = v * 10 + (unsigned)(c - '0');
	}
	*out = v;
	return 0;
}

static int expect_char(struct teeu_buf *b, const char *allowed)
{
	uint8_t c;
	if (teeu_buf_get_u8(b, &c) != 0 || c == 0 || strchr(allowed, c) == NULL)
		return -1;
	return c;
}

static int is_leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int teeu_time_parse(const char *text, int64_t *out, struct teeu_err *err)
{
	static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	struct teeu_buf b;
	unsigned Y, M, D, h, m, s, oh = 0, om = 0;
	int sign = 0, c;
	uint8_t next;

	teeu_buf_init(&b, text, strlen(text));
	if (get_digits(&b, 4, &Y) != 0 || expect_char(&b, "-") < 0 || get_digits(&b, 2, &M) != 0 ||
	    expect_char(&b, "-") < 0 || get_digits(&b, 2, &D) != 0 || expect_char(&b, "Tt ") < 0 ||
	    get_digits(&b, 2, &h) != 0 || expect_char(&b, ":") < 0 || get_digits(&b, 2, &m) != 0 ||
	    expect_char(&b, ":") < 0 || get_digits(&b, 2, &s) != 0)
		goto bad;
	if (teeu_buf_peek(&b, &next, 1) == 0 && next == '.') {
		if (teeu_buf_skip(&b, 1) != 0)
			goto bad;
		int digits = 0;
		while (teeu_buf_peek(&b, &next, 1) == 0 && next >= '0' && next <= '9') {
			if (teeu_buf_skip(&b, 1) != 0)
				goto bad;
			digits++;
		}
		if (digits == 0)
			goto bad;
	}
	if ((c = expect_char(&b, "Zz+-")) < 0)
		goto bad;
	if (c == '+' || c == '-') {
		sign = c == '+' ? 1 : -1;
		if (get_digits(&b, 2, &oh) != 0 || expect_char(&b, ":") < 0 ||
		    get_digits(&b, 2, &om) != 0 || oh > 23 || om > 59)
			goto bad;
	}
	if (teeu_buf_expect_end(&b) != 0)
		goto bad;
	if (Y < 1970 || M < 1 || M > 12 || D < 1 || D > mdays[M - 1] + (M == 2 && is_leap(Y)) ||
	    h > 23 || m > 59 || s > 60)
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "'%s' is not a valid date and time",
		                    text);
	if (s == 60) /* a leap second: Unix time has none, so it is read as :59 */
		s = 59;
	*out = days_from_civil(Y, M, D) * 86400 + h * 3600 + m * 60 + s -
	       (int64_t)sign * (oh * 3600 + om * 60);
	if (*out < 0)
		return teeu_err_set(err, TEEU_ERR_MALFORMED, "'%s' is before 1970-01-01T00:00:00Z",
		                    text);
	return 0;
bad:
	return teeu_err_set(err, TEEU_ERR_MALFORMED,
	                    "'%s' is not an RFC 3339 time (expected e.g. 2027-01-31T23:59:59Z or "
	                    "2027-01-31T23:59:59+08:00)",
	                    text);
}

void teeu_time_format(int64_t t, char out[TEEU_TIME_TEXT_SIZE])
{
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400, y;
	int64_t secs = t - days * 86400;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		snprintf(out, TEEU_TIME_TEXT_SIZE, "out-of-range-time");
		return;
	}
	char tmp[64]; /* wide enough for any int, so no truncation to reason about */
	snprintf(tmp, sizeof(tmp), "%04d-%02u-%02uT%02d:%02d:%02dZ", (int)y, m % 100, d % 100,
	         (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
	memcpy(out, tmp, TEEU_TIME_TEXT_SIZE - 1);
	out[TEEU_TIME_TEXT_SIZE - 1] = '\0';
}
