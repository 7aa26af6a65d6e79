/* The requests the C benchmark times (and the differential checker starts from). */
#ifndef PHR_BENCH_REQUESTS_H
#define PHR_BENCH_REQUESTS_H

#include <stddef.h>

struct bench_request {
    const char *name;
    const char *text;
    size_t len;
};

#define REQ(name, s)                                                                                                   \
    {                                                                                                                  \
        name, s, sizeof(s) - 1                                                                                         \
    }

static const struct bench_request bench_requests[] = {
    /* (1) a classic desktop-browser request for an image, with analytics cookies (~730 bytes) */
    REQ("classic browser",
        "GET /static/images/2015/07/profile-photo-of-a-very-small-cat-sleeping-in-a-basket.jpg HTTP/1.1\r\n"
        "Host: www.example-pictures.net\r\n"
        "Connection: keep-alive\r\n"
        "User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; en-US; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3\r\n"
        "Accept: image/png,image/*;q=0.8,*/*;q=0.5\r\n"
        "Referer: http://www.example-pictures.net/2015/07/cats-in-baskets/\r\n"
        "Accept-Encoding: gzip,deflate\r\n"
        "Accept-Language: en-us,en;q=0.7,fr;q=0.3\r\n"
        "Accept-Charset: ISO-8859-1,utf-8;q=0.7,*;q=0.7\r\n"
        "Keep-Alive: 115\r\n"
        "Cookie: visitor_id=3f9c2a7b; last_visit=1436912345; "
        "__utma=123456789.1234567890.1436900000.1436910000.1436912345.7; "
        "__utmz=123456789.1436900000.1.1.utmcsr=news.example.org|utmccn=(referral)|utmcmd=referral|utmcct=/item/42\r\n"
        "\r\n"),
    /* (2) a current Chrome top-level navigation: client hints, fetch metadata, priority */
    REQ("chrome navigation",
        "GET /dashboard/projects?tab=recent&sort=updated HTTP/1.1\r\n"
        "Host: app.example.com\r\n"
        "Connection: keep-alive\r\n"
        "sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n"
        "sec-ch-ua-mobile: ?0\r\n"
        "sec-ch-ua-platform: \"Linux\"\r\n"
        "Upgrade-Insecure-Requests: 1\r\n"
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
        "Safari/537.36\r\n"
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
        "application/signed-exchange;v=b3;q=0.7\r\n"
        "Sec-Fetch-Site: same-origin\r\n"
        "Sec-Fetch-Mode: navigate\r\n"
        "Sec-Fetch-User: ?1\r\n"
        "Sec-Fetch-Dest: document\r\n"
        "Referer: https://app.example.com/login?next=%2Fdashboard%2Fprojects\r\n"
        "Accept-Encoding: gzip, deflate, br, zstd\r\n"
        "Accept-Language: en-US,en;q=0.9,de;q=0.8\r\n"
        "Cookie: _ga=GA1.1.1234567890.1712345678; session_id=9f8e7d6c5b4a39281706f5e4d3c2b1a0; theme=dark; "
        "_ga_ABCDEF1234=GS1.1.1712345678.3.1.1712349999.0.0.0\r\n"
        "Priority: u=0, i\r\n"
        "\r\n"),
    /* (3) a small JSON API call with a bearer token (the head only; the body follows it) */
    REQ("json api",
        "POST /api/v2/orders HTTP/1.1\r\n"
        "Host: api.example.com\r\n"
        "Authorization: Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEyMzQ1Njc4OTAiLCJzY29wZSI6Im9yZGVyc"
        "zp3cml0ZSIsImlhdCI6MTcxMjM0NTY3OCwiZXhwIjoxNzEyMzQ5Mjc4fQ.c2lnbmF0dXJlLXBsYWNlaG9sZGVyLWZvci1iZW5jaG1hcmstb25seS0"
        "wMTIzNDU2Nzg5\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: 57\r\n"
        "Accept: application/json\r\n"
        "\r\n"),
    /* (4) the smallest useful request */
    REQ("minimal", "GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
};

#define N_BENCH_REQUESTS (sizeof(bench_requests) / sizeof(bench_requests[0]))

#endif
