// resolve_sub_path: subPath or expanded subPathExpr, with kubelet's post-expansion checks.
#include "volumes/subpath/sub_path_expr.h"

#include <set>

#include <fmt/format.h>

#include "kube/expand.h"

namespace nodeagent::volumes::subpath {

namespace {

bool has_backstep(const std::string& path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (path.compare(start, end - start, "..") == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

Result<std::string> resolve_sub_path(const kube::VolumeMount& m, const std::string& container_name,
                                     const std::map<std::string, std::string>& env) {
  std::string sub = m.sub_path;
  if (!m.sub_path_expr.empty()) {
    std::set<std::string> missing;
    sub = kube::expand_vars(m.sub_path_expr, [&](std::string_view name) -> std::optional<std::string> {
      auto it = env.find(std::string(name));
      if (it == env.end() || it->second.empty()) {
        missing.insert(std::string(name));
        return std::string();
      }
      return it->second;
    });
    if (!missing.empty()) {
      std::string names;
      for (const auto& n : missing) names += (names.empty() ? "" : ", ") + n;
      return invalid(fmt::format("volumeMount \"{}\" of container \"{}\": subPathExpr \"{}\": missing value for {}",
                                 m.name, container_name, m.sub_path_expr, names));
    }
  }
  if (sub.empty()) return sub;
  if (sub.front() == '/')
    return invalid(fmt::format("volumeMount \"{}\" of container \"{}\": error SubPath `{}` must not be an absolute path",
                               m.name, container_name, sub));
  if (has_backstep(sub))
    return invalid(fmt::format("volumeMount \"{}\" of container \"{}\": unable to provision SubPath `{}`: must not contain '..'",
                               m.name, container_name, sub));
  return sub;
}

}  // namespace nodeagent::volumes::subpath
