/* h2o/time_.h: time helpers of libh2o-rs (a drop-in for libh2o-evloop 2.2.5).
 *
 * Hand-written; names and semantics are 2.2.5's: the string-length macros (they size
 * h2o_timestamp_string_t in h2o.h), date formatting and parsing, and the timeval helpers. Nothing
 * here allocates. */
#ifndef h2o__time_h
#define h2o__time_h

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Length of an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), without the NUL. */
#define H2O_TIMESTR_RFC1123_LEN (sizeof("Sun, 06 Nov 1994 08:49:37 GMT") - 1)
/** Length of a Common Log Format date ("29/Aug/2014:15:34:38 +0900"), without the NUL. */
#define H2O_TIMESTR_LOG_LEN (sizeof("29/Aug/2014:15:34:38 +0900") - 1)

/** Writes `gmt` (UTC) as "Sun, 06 Nov 1994 08:49:37 GMT" and a NUL to `buf` (H2O_TIMESTR_RFC1123_LEN
 * + 1 bytes). */
void h2o_time2str_rfc1123(char *buf, struct tm *gmt);
/** Parses a date of exactly H2O_TIMESTR_RFC1123_LEN bytes in that form into tm_year, tm_mon,
 * tm_mday, tm_hour, tm_min and tm_sec of `tm` (other fields untouched; the weekday and zone are
 * not checked, as in 2.2.5). Returns 0, or -1 (tm unchanged). */
int h2o_time_parse_rfc1123(const char *s, size_t len, struct tm *tm);
/** Writes `time` in local time as "29/Aug/2014:15:34:38 +0900" and a NUL to `buf`
 * (H2O_TIMESTR_LOG_LEN + 1 bytes). */
void h2o_time2str_log(char *buf, time_t time);

/** Microseconds from `from` to `until` (negative when `until` is earlier). */
static inline int64_t h2o_timeval_subtract(struct timeval *from, struct timeval *until)
{
    int64_t sec = (int64_t)until->tv_sec - (int64_t)from->tv_sec;
    int64_t usec = (int64_t)until->tv_usec - (int64_t)from->tv_usec;
    return sec * 1000000 + usec;
}

/** Non-zero for a timeval that was never set (all zero, as in a zero-filled request). */
static inline int h2o_timeval_is_null(struct timeval *tv)
{
    return tv->tv_sec == 0;
}

#ifdef __cplusplus
}
#endif

#endif
