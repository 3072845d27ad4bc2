// A kubeconfig file (clusters, users, contexts, current-context) reduced to what one client
// needs: the server URL, how to trust it, and who to be. Relative file paths are resolved
// against the kubeconfig's own directory, as client-go does; *-data fields (base64 PEM) are
// written to 0600 files under `data_dir`, because libcurl takes certificates by path.
//
// Every problem is one line naming the file and the field:
//   kubeconfig /etc/nodeagent/kubeconfig: users[0].user.client-key: /x/node.key: No such file or directory
#pragma once

#include <string>

#include "util/result.h"

namespace nodeagent::kube::client {

struct ClientConfig {
  std::string source;       // the kubeconfig's path, for messages
  std::string server;       // https://10.0.0.1:6443 (no trailing slash)
  std::string ca_file;      // "" = the system CAs
  bool insecure_skip_verify = false;
  std::string client_cert_file;
  std::string client_key_file;
  std::string token;        // bearer token (token, or read from tokenFile)
  std::string token_file;   // re-read when the token is refused, as client-go does
  std::string user_name;    // the kubeconfig's user entry, for messages ("system:node:n1" when known)
};

// Loads `path` using its current-context (or `context` when given). `data_dir`: where embedded
// certificate data is written (created 0700); "" refuses embedded data.
Result<ClientConfig> load_kubeconfig(const std::string& path, const std::string& data_dir, const std::string& context = "");

// Writes a kubeconfig for one cluster and one user (the TLS bootstrap's result), client-go's layout.
// A non-empty `ca_pem` is embedded as certificate-authority-data instead of naming ca_file, so
// that the file stands on its own.
std::string render_kubeconfig(const ClientConfig& config, const std::string& context_name,
                              const std::string& ca_pem = "");

}  // namespace nodeagent::kube::client
