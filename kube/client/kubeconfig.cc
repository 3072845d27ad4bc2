#include "kube/client/kubeconfig.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "kube/base64.h"
#include "util/atomic_file.h"

namespace nodeagent::kube::client {
namespace {

namespace fs = std::filesystem;

struct Reader {
  std::string path;
  std::string data_dir;
  Error fail(const std::string& field, const std::string& why) const {
    return invalid("kubeconfig " + path + ": " + (field.empty() ? "" : field + ": ") + why);
  }
};

std::string scalar(const YAML::Node& node, const char* key) {
  auto v = node[key];
  return v && v.IsScalar() ? v.as<std::string>() : std::string();
}

// The entry named `name` of a list of {name, <kind>: {...}}; its index goes into messages.
Result<std::pair<YAML::Node, std::string>> find_named(const Reader& r, const YAML::Node& root, const char* list,
                                                      const char* kind, const std::string& name, const std::string& from) {
  auto entries = root[list];
  if (entries && !entries.IsSequence()) return r.fail(list, "expected a list");
  if (entries) {
    for (size_t i = 0; i < entries.size(); ++i) {
      if (scalar(entries[i], "name") != name) continue;
      auto body = entries[i][kind];
      std::string field = std::string(list) + "[" + std::to_string(i) + "]." + kind;
      if (!body || !body.IsMap()) return r.fail(field, "missing");
      return std::make_pair(body, field);
    }
  }
  return r.fail(from, std::string("no ") + kind + " named \"" + name + "\" in " + list);
}

// A file field (absolute, or relative to the kubeconfig) or its -data twin.
Result<std::string> file_or_data(const Reader& r, const YAML::Node& body, const std::string& field, const char* file_key,
                                 const char* data_key, const std::string& data_name) {
  std::string file = scalar(body, file_key);
  std::string data = scalar(body, data_key);
  if (!file.empty() && !data.empty()) return r.fail(field, std::string("both ") + file_key + " and " + data_key + " are set");
  if (!file.empty()) {
    fs::path p(file);
    if (p.is_relative()) p = fs::path(r.path).parent_path() / p;
    std::ifstream in(p);
    if (!in) return r.fail(field + "." + file_key, p.string() + ": " + std::strerror(errno));
    return p.string();
  }
  if (data.empty()) return std::string();
  auto pem = base64_decode(data);
  if (!pem) return r.fail(field + "." + data_key, "not valid base64");
  if (r.data_dir.empty()) return r.fail(field + "." + data_key, "embedded data is not supported here");
  std::error_code ec;
  fs::create_directories(r.data_dir, ec);
  ::chmod(r.data_dir.c_str(), 0700);
  std::string out = r.data_dir + "/" + data_name;
  if (auto st = write_file_atomically(out, *pem); !st.ok()) return r.fail(field + "." + data_key, st.error().message);
  return out;
}

}  // namespace

Result<ClientConfig> load_kubeconfig(const std::string& path, const std::string& data_dir, const std::string& context) {
  Reader r{path, data_dir};
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return r.fail("", std::string("cannot read: ") + std::strerror(errno ? errno : ENOENT));
  } catch (const YAML::Exception& e) {
    return r.fail("", std::string("not valid YAML: ") + e.what());
  }
  if (!root.IsMap()) return r.fail("", "expected a kubeconfig (kind: Config)");
  if (auto kind = scalar(root, "kind"); !kind.empty() && kind != "Config")
    return r.fail("kind", "expected Config, got " + kind);

  std::string ctx_name = context.empty() ? scalar(root, "current-context") : context;
  if (ctx_name.empty()) return r.fail("current-context", "not set");
  NA_ASSIGN_OR_RETURN(auto ctx, find_named(r, root, "contexts", "context", ctx_name, "current-context"));
  std::string cluster_name = scalar(ctx.first, "cluster");
  std::string user_name = scalar(ctx.first, "user");
  if (cluster_name.empty()) return r.fail(ctx.second + ".cluster", "not set");
  NA_ASSIGN_OR_RETURN(auto cluster, find_named(r, root, "clusters", "cluster", cluster_name, ctx.second + ".cluster"));

  ClientConfig c;
  c.source = path;
  c.server = scalar(cluster.first, "server");
  if (c.server.empty()) return r.fail(cluster.second + ".server", "not set");
  if (c.server.rfind("https://", 0) != 0 && c.server.rfind("http://", 0) != 0)
    return r.fail(cluster.second + ".server", "expected an http(s):// URL, got \"" + c.server + "\"");
  while (c.server.size() > 8 && c.server.back() == '/') c.server.pop_back();
  c.insecure_skip_verify = scalar(cluster.first, "insecure-skip-tls-verify") == "true";
  NA_ASSIGN_OR_RETURN(c.ca_file, file_or_data(r, cluster.first, cluster.second, "certificate-authority",
                                              "certificate-authority-data", "ca.crt"));

  if (!user_name.empty()) {
    NA_ASSIGN_OR_RETURN(auto user, find_named(r, root, "users", "user", user_name, ctx.second + ".user"));
    c.user_name = user_name;
    NA_ASSIGN_OR_RETURN(c.client_cert_file, file_or_data(r, user.first, user.second, "client-certificate",
                                                         "client-certificate-data", "client.crt"));
    NA_ASSIGN_OR_RETURN(c.client_key_file,
                        file_or_data(r, user.first, user.second, "client-key", "client-key-data", "client.key"));
    if (c.client_cert_file.empty() != c.client_key_file.empty())
      return r.fail(user.second, "client-certificate and client-key must be set together");
    c.token = scalar(user.first, "token");
    c.token_file = scalar(user.first, "tokenFile");
    if (!c.token_file.empty()) {
      fs::path p(c.token_file);
      if (p.is_relative()) p = fs::path(path).parent_path() / p;
      c.token_file = p.string();
      std::ifstream in(p);
      if (!in) return r.fail(user.second + ".tokenFile", p.string() + ": " + std::strerror(errno));
      if (c.token.empty()) {
        std::stringstream ss;
        ss << in.rdbuf();
        c.token = ss.str();
        while (!c.token.empty() && std::isspace(static_cast<unsigned char>(c.token.back()))) c.token.pop_back();
      }
    }
    for (const char* unsupported : {"exec", "auth-provider", "username"})
      if (user.first[unsupported]) return r.fail(user.second + "." + unsupported, "not supported by nodeagent");
  }
  return c;
}

std::string render_kubeconfig(const ClientConfig& c, const std::string& context_name, const std::string& ca_pem) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "apiVersion" << YAML::Value << "v1" << YAML::Key << "kind" << YAML::Value
      << "Config";
  out << YAML::Key << "clusters" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "name"
      << YAML::Value << "default-cluster" << YAML::Key << "cluster" << YAML::Value << YAML::BeginMap << YAML::Key
      << "server" << YAML::Value << c.server;
  if (!ca_pem.empty())
    out << YAML::Key << "certificate-authority-data" << YAML::Value << base64_encode(ca_pem);
  else if (!c.ca_file.empty())
    out << YAML::Key << "certificate-authority" << YAML::Value << c.ca_file;
  if (c.insecure_skip_verify) out << YAML::Key << "insecure-skip-tls-verify" << YAML::Value << true;
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
  out << YAML::Key << "users" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "name" << YAML::Value
      << "default-auth" << YAML::Key << "user" << YAML::Value << YAML::BeginMap;
  if (!c.client_cert_file.empty())
    out << YAML::Key << "client-certificate" << YAML::Value << c.client_cert_file << YAML::Key << "client-key"
        << YAML::Value << c.client_key_file;
  if (!c.token.empty()) out << YAML::Key << "token" << YAML::Value << c.token;
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
  out << YAML::Key << "contexts" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "name"
      << YAML::Value << context_name << YAML::Key << "context" << YAML::Value << YAML::BeginMap << YAML::Key
      << "cluster" << YAML::Value << "default-cluster" << YAML::Key << "user" << YAML::Value << "default-auth"
      << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
  out << YAML::Key << "current-context" << YAML::Value << context_name << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace nodeagent::kube::client
