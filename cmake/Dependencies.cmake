# Every third-party dependency comes from a Debian 12 package (scripts/install-deps.sh).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(Boost 1.74 REQUIRED)  # Beast + Asio: the node API (agent/nodeapi)
find_package(CLI11 CONFIG REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(LIBNL REQUIRED IMPORTED_TARGET libnl-3.0 libnl-route-3.0)
pkg_check_modules(IPTC REQUIRED IMPORTED_TARGET libip4tc)
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)
pkg_check_modules(LIBARCHIVE REQUIRED IMPORTED_TARGET libarchive)
pkg_check_modules(CONNTRACK REQUIRED IMPORTED_TARGET libnetfilter_conntrack)
# libsystemd (sd-bus) is not looked for yet: nothing includes <systemd/...>. The issue that adds
# the systemd cgroup driver adds it back, here and to na_cgroups:
#   pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)   # PkgConfig::SYSTEMD
find_path(CATCH2_INCLUDE_DIR catch2/catch.hpp REQUIRED)

find_program(PROTOC protoc REQUIRED)
find_program(GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
set(GOCODE_ROOT /usr/share/gocode/src CACHE PATH "Go source root holding containerd's and gogo's .proto files")
