// $(VAR) expansion in command, args and env values, as Kubernetes defines it
// (third_party/forked/golang/expansion): $(NAME) is replaced by the variable's value when NAME
// is defined, and left as written otherwise; $$ is an escaped $, so $$(NAME) yields the literal
// $(NAME); any other $ stays as it is.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace nodeagent::kube {

std::string expand_vars(std::string_view input, const std::map<std::string, std::string>& vars);

}  // namespace nodeagent::kube
