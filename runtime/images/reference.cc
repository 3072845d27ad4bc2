// Reference grammar from the distribution project (reference/regexp.go), normalisation from
// docker's reference/normalize.go: the first path component is a registry domain only when it
// has a '.' or ':', is "localhost", or has upper-case letters.
#include "runtime/images/reference.h"

#include <map>
#include <regex>

namespace nodeagent::runtime::images {
namespace {

constexpr const char* kDefaultDomain = "docker.io";
constexpr const char* kLegacyDefaultDomain = "index.docker.io";
constexpr const char* kOfficialRepoPrefix = "library/";

bool matches(const std::string& s, const char* pattern) {
  static thread_local std::map<std::string, std::regex> cache;
  auto it = cache.find(pattern);
  if (it == cache.end()) it = cache.emplace(pattern, std::regex(pattern, std::regex::ECMAScript)).first;
  return std::regex_match(s, it->second);
}

bool is_valid_domain(const std::string& domain) {
  // host name or IPv4 (dotted labels) or [IPv6], with an optional port.
  return matches(domain,
                 R"((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?)");
}

bool is_valid_path_component(const std::string& component) {
  return matches(component, R"([a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)");
}

bool is_valid_tag(const std::string& tag) { return matches(tag, R"([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})"); }

bool looks_like_domain(const std::string& first) {
  if (first == "localhost") return true;
  if (first.find_first_of(".:") != std::string::npos) return true;
  for (char c : first) {
    if (c >= 'A' && c <= 'Z') return true;
  }
  return false;
}

}  // namespace

bool is_valid_digest(const std::string& digest) { return matches(digest, "sha256:[a-f0-9]{64}"); }

std::string ImageReference::str() const {
  std::string out = repository();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

Result<ImageReference> parse_reference(const std::string& ref) {
  auto fail = [&](const std::string& why) { return invalid("image reference \"" + ref + "\": " + why); };
  if (ref.empty()) return fail("must not be empty");
  if (ref.size() > 4096) return fail("too long");

  ImageReference out;
  std::string name = ref;
  if (auto at = name.find('@'); at != std::string::npos) {
    out.digest = name.substr(at + 1);
    name = name.substr(0, at);
    if (!is_valid_digest(out.digest)) return fail("digest must be sha256:<64 lowercase hex>");
  }
  // The tag follows the last ':' that comes after the last '/' (a ':' before it is a port).
  auto last_slash = name.rfind('/');
  auto colon = name.rfind(':');
  if (colon != std::string::npos && (last_slash == std::string::npos || colon > last_slash)) {
    out.tag = name.substr(colon + 1);
    name = name.substr(0, colon);
    if (!is_valid_tag(out.tag)) return fail("invalid tag \"" + out.tag + "\"");
  }

  auto slash = name.find('/');
  if (slash != std::string::npos && looks_like_domain(name.substr(0, slash))) {
    out.domain = name.substr(0, slash);
    out.path = name.substr(slash + 1);
  } else {
    out.domain = kDefaultDomain;
    out.path = name;
  }
  if (out.domain == kLegacyDefaultDomain) out.domain = kDefaultDomain;
  if (!is_valid_domain(out.domain)) return fail("invalid registry domain \"" + out.domain + "\"");
  if (out.domain == kDefaultDomain && out.path.find('/') == std::string::npos) out.path = kOfficialRepoPrefix + out.path;

  if (out.path.empty()) return fail("repository name must not be empty");
  size_t start = 0;
  while (true) {
    auto end = out.path.find('/', start);
    std::string component = out.path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!is_valid_path_component(component)) {
      for (char c : component) {
        if (c >= 'A' && c <= 'Z') return fail("repository name must be lowercase");
      }
      return fail("invalid repository path component \"" + component + "\"");
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (out.repository().size() > 255) return fail("repository name longer than 255 characters");
  if (out.tag.empty() && out.digest.empty()) out.tag = "latest";
  return out;
}

}  // namespace nodeagent::runtime::images
