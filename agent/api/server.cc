// ApiServer: socket preparation, gRPC server lifetime, shutdown through the gate.
#include "agent/api/server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include "agent/api/service.h"
#include "agent/api/socket_path.h"
#include "util/log.h"

namespace nodeagent::api {

ApiServer::ApiServer(AgentBackend& backend, ApiServerOptions options)
    : backend_(backend), options_(std::move(options)) {}

ApiServer::~ApiServer() { stop(); }

Status ApiServer::start() {
  std::lock_guard lock(mu_);
  if (server_) return ok_status();
  const std::string& path = options_.socket_path;
  NA_RETURN_IF_ERROR(make_private_parent_dir(path));
  NA_RETURN_IF_ERROR(remove_stale_socket(path));

  gate_.reopen();
  service_ = std::make_unique<NodeAgentService>(backend_, gate_, options_.log_poll_interval);
  grpc::ServerBuilder builder;
  builder.AddListeningPort("unix:" + path, grpc::InsecureServerCredentials());
  builder.RegisterService(service_.get());
  // Pod lists and image imports can exceed gRPC's 4 MB default.
  builder.SetMaxSendMessageSize(64 * 1024 * 1024);
  builder.SetMaxReceiveMessageSize(16 * 1024 * 1024);
  server_ = builder.BuildAndStart();
  if (!server_) {
    service_.reset();
    return internal("local API: cannot listen on unix socket " + path);
  }
  // Root only. The parent directory is private too, which closes the window before this chmod.
  if (::chmod(path.c_str(), 0600) != 0) {
    Error err = errno_error("chmod 0600 " + path, errno);
    server_->Shutdown();
    server_.reset();
    service_.reset();
    return err;
  }
  log::get("api")->info("local API listening socket={}", path);
  return ok_status();
}

void ApiServer::stop() {
  std::lock_guard lock(mu_);
  if (!server_) return;
  // Refuse new calls, let log follows see the closed gate and end, wait for the rest.
  gate_.close();
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  server_->Wait();
  server_.reset();
  service_.reset();
  if (::unlink(options_.socket_path.c_str()) != 0 && errno != ENOENT) {
    log::get("api")->warn("cannot remove socket={}: {}", options_.socket_path, std::strerror(errno));
  }
  log::get("api")->info("local API stopped socket={}", options_.socket_path);
}

}  // namespace nodeagent::api
