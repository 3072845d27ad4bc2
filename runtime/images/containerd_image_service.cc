// Wiring only: the real store and HTTP client behind ImageServiceImpl.
#include "runtime/images/containerd_image_service.h"

#include "runtime/images/containerd_image_store.h"
#include "util/http/curl_http_client.h"

namespace nodeagent::runtime::images {

std::unique_ptr<ImageService> make_containerd_image_service(std::shared_ptr<ctd::Connection> connection,
                                                            ImageServiceOptions options) {
  return std::make_unique<ImageServiceImpl>(std::make_shared<ContainerdImageStore>(std::move(connection)),
                                            std::make_shared<http::CurlHttpClient>(), std::move(options));
}

}  // namespace nodeagent::runtime::images
