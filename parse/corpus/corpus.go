// Package corpus holds the request heads that the parser's tests, fuzz seeds
// and benchmarks share, so that every figure is measured on the same bytes.
// Each is one complete head, ending in the empty line, with no duplicate field
// names (net/http folds duplicates into one map entry, which would make field
// counts disagree).
package corpus

// Short is a small API call: the common case for a JSON service.
const Short = "GET /api/v1/users/42?fields=name HTTP/1.1\r\n" +
	"Host: api.example.com\r\n" +
	"Accept: application/json\r\n" +
	"\r\n"

// Browser is the 703-byte browser request that picohttpparser's bench.c and
// httparse's benchmarks use, byte for byte, so numbers can be set beside theirs.
const Browser = "GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n" +
	"Host: www.kittyhell.com\r\n" +
	"User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n" +
	"Accept-Encoding: gzip,deflate\r\n" +
	"Accept-Charset: Shift_JIS,utf-8;q=0.7,*;q=0.7\r\n" +
	"Keep-Alive: 115\r\n" +
	"Connection: keep-alive\r\n" +
	"Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; __utma=xxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.x; __utmz=xxxxxxxxx.xxxxxxxxxx.x.x.utmccn=(referral)|utmcsr=reader.livedoor.com|utmcct=/reader/|utmcmd=referral\r\n" +
	"\r\n"

// Many is a browser request behind a proxy chain and a tracing stack: 40
// fields in about 2.5 KB, the shape where per-field costs dominate.
const Many = "GET /v2/catalog/search?q=wireless+headphones&sort=relevance&page=3&per_page=48 HTTP/1.1\r\n" +
	"Host: shop.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n" +
	"Accept-Language: en-US,en;q=0.9,de;q=0.8,fr;q=0.7\r\n" +
	"Accept-Encoding: gzip, deflate, br, zstd\r\n" +
	"Cache-Control: max-age=0\r\n" +
	"Connection: keep-alive\r\n" +
	"Upgrade-Insecure-Requests: 1\r\n" +
	"Sec-Fetch-Site: same-origin\r\n" +
	"Sec-Fetch-Mode: navigate\r\n" +
	"Sec-Fetch-User: ?1\r\n" +
	"Sec-Fetch-Dest: document\r\n" +
	"Sec-Ch-Ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n" +
	"Sec-Ch-Ua-Mobile: ?0\r\n" +
	"Sec-Ch-Ua-Platform: \"Linux\"\r\n" +
	"Referer: https://shop.example.com/v2/catalog/audio?category=headphones&brand=all\r\n" +
	"Cookie: session=9f8e7d6c5b4a39281706f5e4d3c2b1a0; cart=3; theme=dark; consent=analytics%3Dtrue%26ads%3Dfalse; _ga=GA1.2.1234567890.1700000000; _gid=GA1.2.987654321.1700000000; recently_viewed=sku-88213%2Csku-10442%2Csku-77310%2Csku-55012%2Csku-90871; ab_bucket=checkout-v3%3Ab%7Csearch-rank%3Ac%7Cpdp-layout%3Aa; locale=en-US; currency=USD; csrftoken=Xq3T9vLk2P8sR7wN4mB1cZ6yH0dF5gJa\r\n" +
	"If-None-Match: W/\"5e-1a2b3c4d5e6f\"\r\n" +
	"If-Modified-Since: Tue, 07 May 2024 10:21:33 GMT\r\n" +
	"DNT: 1\r\n" +
	"X-Forwarded-For: 203.0.113.195, 198.51.100.17, 192.0.2.44\r\n" +
	"X-Forwarded-Proto: https\r\n" +
	"X-Forwarded-Host: shop.example.com\r\n" +
	"X-Forwarded-Port: 443\r\n" +
	"X-Real-IP: 203.0.113.195\r\n" +
	"X-Request-ID: 6f1c2d3e-4b5a-4978-8a9b-0c1d2e3f4a5b\r\n" +
	"X-Correlation-ID: c0ffee00-1234-5678-9abc-def012345678\r\n" +
	"Traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n" +
	"Tracestate: congo=t61rcWkgMzE,rojo=00f067aa0ba902b7\r\n" +
	"Baggage: userId=alice,serverNode=DF%2028,isProduction=false,tenant=acme-retail-eu,region=eu-central-1,deployment=canary-7\r\n" +
	"X-B3-TraceId: 80f198ee56343ba864fe8b2a57d3eff7\r\n" +
	"X-B3-SpanId: e457b5a2e4d86bd1\r\n" +
	"X-B3-Sampled: 1\r\n" +
	"X-Amzn-Trace-Id: Root=1-67891233-abcdef012345678912345678\r\n" +
	"Via: 1.1 varnish (Varnish/7.4), 1.1 edge-proxy\r\n" +
	"Forwarded: for=203.0.113.195;proto=https;by=198.51.100.17\r\n" +
	"X-Client-Version: web-4.18.2+build.7731\r\n" +
	"X-Feature-Flags: new-checkout,price-alerts,compare-v2,reviews-ai-summary,wishlist-sync,bundle-pricing,fast-shipping-badge,size-guide-v2,store-pickup,gift-wrap-options\r\n" +
	"Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkFsaWNlIiwiaWF0IjoxNzAwMDAwMDAwfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c\r\n" +
	"Priority: u=0, i\r\n" +
	"\r\n"
