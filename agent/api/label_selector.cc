// Label selector parser: a small hand-written scanner over the selector text, one requirement
// per comma-separated term (commas inside "in (...)" belong to the value set).
#include "agent/api/label_selector.h"

#include <algorithm>
#include <cctype>

namespace nodeagent::api {
namespace {

bool is_key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/';
}
bool is_value_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  void skip_spaces() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  bool consume(std::string_view token) {
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }
  std::string take_while(bool (*pred)(char)) {
    size_t start = pos_;
    while (pos_ < text_.size() && pred(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }
  size_t position() const { return pos_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

// Reads "(v1, v2, ...)" after in/notin.
Result<std::vector<std::string>> parse_value_set(Scanner& s) {
  s.skip_spaces();
  if (!s.consume("(")) return invalid("expected '(' after in/notin");
  std::vector<std::string> values;
  while (true) {
    s.skip_spaces();
    values.push_back(s.take_while(is_value_char));
    s.skip_spaces();
    if (s.consume(")")) break;
    if (!s.consume(",")) return invalid("expected ',' or ')' in value set");
  }
  return values;
}

Result<LabelRequirement> parse_requirement(Scanner& s) {
  LabelRequirement req;
  s.skip_spaces();
  if (s.consume("!")) {
    s.skip_spaces();
    req.key = s.take_while(is_key_char);
    if (req.key.empty()) return invalid("expected a key after '!'");
    req.op = LabelRequirement::Op::kDoesNotExist;
    return req;
  }
  req.key = s.take_while(is_key_char);
  if (req.key.empty()) return invalid("expected a label key");
  s.skip_spaces();
  if (s.at_end() || s.peek() == ',') {
    req.op = LabelRequirement::Op::kExists;
    return req;
  }
  if (s.consume("!=")) {
    req.op = LabelRequirement::Op::kNotEquals;
  } else if (s.consume("==") || s.consume("=")) {
    req.op = LabelRequirement::Op::kEquals;
  } else {
    std::string word = s.take_while([](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
    if (word == "in") {
      req.op = LabelRequirement::Op::kIn;
    } else if (word == "notin") {
      req.op = LabelRequirement::Op::kNotIn;
    } else {
      return invalid("expected an operator (=, ==, !=, in, notin) after key \"" + req.key + "\"");
    }
    NA_ASSIGN_OR_RETURN(req.values, parse_value_set(s));
    return req;
  }
  s.skip_spaces();
  req.values.push_back(s.take_while(is_value_char));
  return req;
}

}  // namespace

bool LabelRequirement::matches(const std::map<std::string, std::string>& labels) const {
  auto it = labels.find(key);
  bool has = it != labels.end();
  auto in_values = [&] { return has && std::find(values.begin(), values.end(), it->second) != values.end(); };
  switch (op) {
    case Op::kEquals:
    case Op::kIn: return in_values();
    case Op::kNotEquals:
    case Op::kNotIn: return !in_values();  // an absent key satisfies != and notin, as upstream
    case Op::kExists: return has;
    case Op::kDoesNotExist: return !has;
  }
  return false;
}

Result<LabelSelector> LabelSelector::parse(std::string_view text) {
  LabelSelector selector;
  Scanner s(text);
  s.skip_spaces();
  if (s.at_end()) return selector;
  while (true) {
    auto req = parse_requirement(s);
    if (!req.ok()) {
      return invalid("invalid label selector \"" + std::string(text) + "\": " + req.error().message +
                     " at offset " + std::to_string(s.position()));
    }
    selector.requirements_.push_back(std::move(req).value());
    s.skip_spaces();
    if (s.at_end()) break;
    if (!s.consume(",")) {
      return invalid("invalid label selector \"" + std::string(text) + "\": unexpected '" +
                     std::string(1, s.peek()) + "' at offset " + std::to_string(s.position()));
    }
  }
  return selector;
}

bool LabelSelector::matches(const std::map<std::string, std::string>& labels) const {
  return std::all_of(requirements_.begin(), requirements_.end(),
                     [&](const LabelRequirement& r) { return r.matches(labels); });
}

}  // namespace nodeagent::api
