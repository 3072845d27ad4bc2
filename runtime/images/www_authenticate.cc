// A small tokenizer for the challenge grammar: scheme SP auth-param *( "," auth-param ), where
// auth-param = token "=" ( token / quoted-string ). A token after a comma that is not followed
// by '=' starts the next challenge.
#include "runtime/images/www_authenticate.h"

#include <cctype>

namespace nodeagent::runtime::images {
namespace {

class Scanner {
 public:
  explicit Scanner(const std::string& s) : s_(s) {}

  bool done() { skip_space(); return pos_ >= s_.size(); }
  void skip_space() { while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_; }
  bool consume(char c) {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == c) { ++pos_; return true; }
    return false;
  }
  size_t pos() const { return pos_; }
  void reset(size_t p) { pos_ = p; }

  std::string token() {
    skip_space();
    size_t start = pos_;
    while (pos_ < s_.size() && is_token_char(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  std::string value() {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == '"') {
      ++pos_;
      std::string out;
      while (pos_ < s_.size() && s_[pos_] != '"') {
        if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
        out += s_[pos_++];
      }
      if (pos_ < s_.size()) ++pos_;  // closing quote
      return out;
    }
    return token();
  }

 private:
  static bool is_token_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~/:").find(c) != std::string_view::npos;
  }
  const std::string& s_;
  size_t pos_ = 0;
};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::vector<AuthChallenge> parse_www_authenticate(const std::string& header) {
  std::vector<AuthChallenge> out;
  Scanner sc(header);
  while (!sc.done()) {
    std::string scheme = sc.token();
    if (scheme.empty()) break;
    AuthChallenge challenge{lower(scheme), {}};
    while (true) {
      size_t mark = sc.pos();
      std::string key = sc.token();
      if (key.empty() || !sc.consume('=')) {
        // Not a parameter: the start of the next challenge (or garbage).
        sc.reset(mark);
        break;
      }
      challenge.params[lower(key)] = sc.value();
      if (!sc.consume(',')) break;
    }
    out.push_back(std::move(challenge));
    sc.consume(',');
  }
  return out;
}

}  // namespace nodeagent::runtime::images
