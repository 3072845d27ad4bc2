// The zlib dictionary of SPDY/3 header compression (draft-mbelshe-httpbis-spdy-00, section
// 2.6.10.1): every SYN_STREAM/SYN_REPLY/HEADERS header block is deflated against it.
#include "agent/nodeapi/streaming/spdy_dictionary.h"

namespace nodeagent::nodeapi::streaming {

// 1423 bytes: length-prefixed header names and values, then common value fragments.
static const char kDictionary[] =
    "\000\000\000\007options\000\000\000\004head\000\000\000\004post\000\000\000\003put\000\000"
    "\000\006delete\000\000\000\005trace\000\000\000\006accept\000\000\000\016accept-charset\000"
    "\000\000\017accept-encoding\000\000\000\017accept-language\000\000\000\015accept-ranges\000"
    "\000\000\003age\000\000\000\005allow\000\000\000\015authorization\000\000\000\015cache-co"
    "ntrol\000\000\000\012connection\000\000\000\014content-base\000\000\000\020content-encodi"
    "ng\000\000\000\020content-language\000\000\000\016content-length\000\000\000\020content-l"
    "ocation\000\000\000\013content-md5\000\000\000\015content-range\000\000\000\014content-ty"
    "pe\000\000\000\004date\000\000\000\004etag\000\000\000\006expect\000\000\000\007expires\000"
    "\000\000\004from\000\000\000\004host\000\000\000\010if-match\000\000\000\021if-modified-s"
    "ince\000\000\000\015if-none-match\000\000\000\010if-range\000\000\000\023if-unmodified-si"
    "nce\000\000\000\015last-modified\000\000\000\010location\000\000\000\014max-forwards\000\000"
    "\000\006pragma\000\000\000\022proxy-authenticate\000\000\000\023proxy-authorization\000\000"
    "\000\005range\000\000\000\007referer\000\000\000\013retry-after\000\000\000\006server\000"
    "\000\000\002te\000\000\000\007trailer\000\000\000\021transfer-encoding\000\000\000\007upg"
    "rade\000\000\000\012user-agent\000\000\000\004vary\000\000\000\003via\000\000\000\007warn"
    "ing\000\000\000\020www-authenticate\000\000\000\006method\000\000\000\003get\000\000\000\006"
    "status\000\000\000\006200 OK\000\000\000\007version\000\000\000\010HTTP/1.1\000\000\000\003"
    "url\000\000\000\006public\000\000\000\012set-cookie\000\000\000\012keep-alive\000\000\000"
    "\006origin1001012012022052063003023033043053063074024054064074084094104114124134144154164"
    "17502504505203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Re"
    "quest401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implement"
    "ed503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, T"
    "ue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,applicati"
    "on/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=gzip,deflate"
    ",sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

std::string_view spdy3_header_dictionary() { return {kDictionary, sizeof(kDictionary) - 1}; }

}  // namespace nodeagent::nodeapi::streaming
