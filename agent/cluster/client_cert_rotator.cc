#include "agent/cluster/client_cert_rotator.h"

#include <algorithm>

#include "util/read_file.h"

namespace nodeagent::cluster {

ClientCertificateRotator::ClientCertificateRotator(kube::client::ApiClient& client, std::string node_name,
                                                   std::string cert_dir, double jitter, ProblemFn on_problem)
    : client_(client),
      node_name_(std::move(node_name)),
      store_(std::move(cert_dir)),
      jitter_(jitter),
      on_problem_(std::move(on_problem)) {}

ClientCertificateRotator::~ClientCertificateRotator() { stop(); }

void ClientCertificateRotator::use_stored_certificate() {
  auto config = client_.config();
  const std::string current = store_.current_path();
  if (config.client_cert_file == current) return;
  kube::client::ClientConfig stored = config;
  stored.client_cert_file = stored.client_key_file = current;
  stored.token.clear();
  if (kube::client::credentials_usable(stored, std::chrono::system_clock::now()))
    client_.set_client_certificate(current, current);
}

std::optional<std::chrono::system_clock::time_point> ClientCertificateRotator::deadline() const {
  auto config = client_.config();
  if (config.client_cert_file.empty()) return std::nullopt;
  auto pem = read_text_file(config.client_cert_file);
  if (!pem.ok()) return std::nullopt;
  auto facts = kube::client::read_certificate(*pem);
  if (!facts.ok()) return std::nullopt;
  return kube::client::rotation_deadline(*facts, jitter_);
}

Status ClientCertificateRotator::rotate(std::chrono::seconds timeout) {
  NA_ASSIGN_OR_RETURN(auto key, kube::client::generate_ec_private_key());
  NA_ASSIGN_OR_RETURN(auto cert,
                      kube::client::request_node_client_certificate(client_, key, node_name_, timeout, loop_.stop_flag()));
  NA_ASSIGN_OR_RETURN(auto pair, store_.store(cert, key, std::chrono::system_clock::now()));
  // The pair's own file, not the current link: a new path makes the HTTP client open new
  // connections (and TLS sessions) with the new certificate instead of resuming old ones.
  client_.set_client_certificate(pair, pair);
  return ok_status();
}

void ClientCertificateRotator::start() {
  loop_.start([this] { run(); });
}

void ClientCertificateRotator::stop() { loop_.stop(); }

void ClientCertificateRotator::run() {
  std::chrono::seconds backoff{2};
  while (!loop_.stopping()) {
    auto due = deadline();
    if (!due) {
      on_problem_("client certificate rotation: the certificate in use (" + client_.config().client_cert_file +
                  ") cannot be read; rotation stops");
      return;
    }
    auto now = std::chrono::system_clock::now();
    if (now < *due) {
      // Wake at least hourly: the clock may jump, and a long sleep is not interrupted by that.
      if (!loop_.sleep_for(std::min<std::chrono::system_clock::duration>(*due - now, std::chrono::hours(1)))) return;
      continue;
    }
    if (auto rotated = rotate(std::chrono::minutes(15)); !rotated.ok()) {
      if (loop_.stopping()) return;
      on_problem_("client certificate rotation failed, retrying in " + std::to_string(backoff.count()) +
                  " s: " + rotated.error().message);
      if (!loop_.sleep_for(backoff)) return;
      backoff = std::min(backoff * 2, std::chrono::seconds(300));
      continue;
    }
    backoff = std::chrono::seconds(2);
  }
}

}  // namespace nodeagent::cluster
