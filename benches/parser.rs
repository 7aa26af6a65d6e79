//! criterion benchmark: our `parse_request` (the process default level and every SIMD level this
//! CPU supports) against the `httparse` crate, on the four requests of the C benchmark
//! (`benches/c/requests.h`; the texts below are the same bytes).
//!
//! Run: `cargo bench --bench parser` (about a minute). Results are reported per request as time
//! per parse and throughput; the numbers go into BENCHMARKS.md, never into timed tests.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use h2o_rs::http1::parser::{Header, SimdLevel, Status, parse_request, parse_request_with, simd_level};

/// (1) a classic desktop-browser request for an image, with analytics cookies (~730 bytes)
const CLASSIC_BROWSER: &[u8] = b"GET /static/images/2015/07/profile-photo-of-a-very-small-cat-sleeping-in-a-basket.jpg HTTP/1.1\r\n\
Host: www.example-pictures.net\r\n\
Connection: keep-alive\r\n\
User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; en-US; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3\r\n\
Accept: image/png,image/*;q=0.8,*/*;q=0.5\r\n\
Referer: http://www.example-pictures.net/2015/07/cats-in-baskets/\r\n\
Accept-Encoding: gzip,deflate\r\n\
Accept-Language: en-us,en;q=0.7,fr;q=0.3\r\n\
Accept-Charset: ISO-8859-1,utf-8;q=0.7,*;q=0.7\r\n\
Keep-Alive: 115\r\n\
Cookie: visitor_id=3f9c2a7b; last_visit=1436912345; \
__utma=123456789.1234567890.1436900000.1436910000.1436912345.7; \
__utmz=123456789.1436900000.1.1.utmcsr=news.example.org|utmccn=(referral)|utmcmd=referral|utmcct=/item/42\r\n\
\r\n";

/// (2) a current Chrome top-level navigation: client hints, fetch metadata, priority
const CHROME_NAVIGATION: &[u8] = b"GET /dashboard/projects?tab=recent&sort=updated HTTP/1.1\r\n\
Host: app.example.com\r\n\
Connection: keep-alive\r\n\
sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n\
sec-ch-ua-mobile: ?0\r\n\
sec-ch-ua-platform: \"Linux\"\r\n\
Upgrade-Insecure-Requests: 1\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 \
Safari/537.36\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,\
application/signed-exchange;v=b3;q=0.7\r\n\
Sec-Fetch-Site: same-origin\r\n\
Sec-Fetch-Mode: navigate\r\n\
Sec-Fetch-User: ?1\r\n\
Sec-Fetch-Dest: document\r\n\
Referer: https://app.example.com/login?next=%2Fdashboard%2Fprojects\r\n\
Accept-Encoding: gzip, deflate, br, zstd\r\n\
Accept-Language: en-US,en;q=0.9,de;q=0.8\r\n\
Cookie: _ga=GA1.1.1234567890.1712345678; session_id=9f8e7d6c5b4a39281706f5e4d3c2b1a0; theme=dark; \
_ga_ABCDEF1234=GS1.1.1712345678.3.1.1712349999.0.0.0\r\n\
Priority: u=0, i\r\n\
\r\n";

/// (3) a small JSON API call with a bearer token (the head only; the body follows it)
const JSON_API: &[u8] = b"POST /api/v2/orders HTTP/1.1\r\n\
Host: api.example.com\r\n\
Authorization: Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEyMzQ1Njc4OTAiLCJzY29wZSI6Im9yZGVyc\
zp3cml0ZSIsImlhdCI6MTcxMjM0NTY3OCwiZXhwIjoxNzEyMzQ5Mjc4fQ.c2lnbmF0dXJlLXBsYWNlaG9sZGVyLWZvci1iZW5jaG1hcmstb25seS0\
wMTIzNDU2Nzg5\r\n\
Content-Type: application/json\r\n\
Content-Length: 57\r\n\
Accept: application/json\r\n\
\r\n";

/// (4) the smallest useful request
const MINIMAL: &[u8] = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";

const REQUESTS: [(&str, &[u8]); 4] =
    [("classic_browser", CLASSIC_BROWSER), ("chrome_navigation", CHROME_NAVIGATION), ("json_api", JSON_API), ("minimal", MINIMAL)];

const MAX_HEADERS: usize = 32;

/// Both parsers must accept the whole request with the same headers before they are timed.
fn check(name: &str, req: &'static [u8]) {
    let mut ours = [Header::default(); MAX_HEADERS];
    let Ok(Status::Complete(r)) = parse_request(req, &mut ours, 0) else { panic!("{name}: ours did not parse it") };
    let mut theirs = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut hr = httparse::Request::new(&mut theirs);
    let Ok(httparse::Status::Complete(n)) = hr.parse(req) else { panic!("{name}: httparse did not parse it") };
    assert_eq!((r.head_len, r.num_headers), (n, hr.headers.len()), "{name}");
    assert_eq!(r.head_len, req.len(), "{name}");
    for (a, b) in ours[..r.num_headers].iter().zip(hr.headers.iter()) {
        assert_eq!((a.name, a.value), (Some(b.name.as_bytes()), b.value), "{name}");
    }
}

fn parsers(c: &mut Criterion) {
    let default = simd_level();
    for (name, req) in REQUESTS {
        check(name, req);
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Bytes(req.len() as u64));
        g.bench_function(format!("h2o_rs default ({})", default.name()), |b| {
            let mut h = [Header::default(); MAX_HEADERS];
            b.iter(|| parse_request(black_box(req), &mut h, 0))
        });
        for level in SimdLevel::supported() {
            g.bench_function(format!("h2o_rs {}", level.name()), |b| {
                let mut h = [Header::default(); MAX_HEADERS];
                b.iter(|| parse_request_with(level, black_box(req), &mut h, 0))
            });
        }
        g.bench_function("httparse", |b| {
            let mut h = [httparse::EMPTY_HEADER; MAX_HEADERS];
            b.iter(|| httparse::Request::new(&mut h).parse(black_box(req)))
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_secs(1));
    targets = parsers
}
criterion_main!(benches);
