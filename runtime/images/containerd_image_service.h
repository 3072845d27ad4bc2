// The agent's ImageService wired to containerd (ContainerdImageStore) and libcurl.
#pragma once

#include <memory>

#include "runtime/containerd/connection.h"
#include "runtime/images/image_service_impl.h"

namespace nodeagent::runtime::images {

std::unique_ptr<ImageService> make_containerd_image_service(std::shared_ptr<ctd::Connection> connection,
                                                            ImageServiceOptions options = {});

}  // namespace nodeagent::runtime::images
