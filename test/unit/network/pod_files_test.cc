#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "network/podfiles/hosts_file.h"
#include "network/podfiles/pod_files.h"
#include "network/podfiles/pod_hostname.h"
#include "network/podfiles/resolv_conf.h"
#include "test/support/temp_dir.h"

using namespace nodeagent;
using namespace nodeagent::network;

namespace {
kube::Pod make_pod(const std::string& name, const std::string& ns = "default") {
  kube::Pod pod;
  pod.metadata.name = name;
  pod.metadata.namespace_ = ns;
  return pod;
}

const char* kHostResolv =
    "# generated\n"
    "nameserver 192.0.2.53\n"
    "nameserver 192.0.2.54\n"
    "search corp.example. lab.example\n"
    "options edns0 ndots:1\n";

NodeDnsSettings cluster_dns() {
  NodeDnsSettings node;
  node.cluster_dns = {"10.96.0.10"};
  node.cluster_domain = "cluster.local";
  node.host_resolv_conf = kHostResolv;
  return node;
}
}  // namespace

TEST_CASE("hostname: pod name, spec.hostname, truncation to 63 without trailing '-' or '.'") {
  CHECK(pod_hostname(make_pod("web-0"), "cluster.local")->hostname == "web-0");
  auto pod = make_pod("web-0");
  pod.spec.hostname = "custom";
  CHECK(pod_hostname(pod, "cluster.local")->hostname == "custom");

  std::string long_name = std::string(62, 'a') + "-bbbb";
  auto cut = pod_hostname(make_pod(long_name), "cluster.local");
  REQUIRE(cut.ok());
  CHECK(cut->hostname == std::string(62, 'a'));  // 63rd char was '-', removed

  pod.spec.hostname = "Not_Valid";
  auto bad = pod_hostname(pod, "cluster.local");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "pod default/web-0: spec.hostname: \"Not_Valid\" is not a valid DNS label");
}

TEST_CASE("hostname: subdomain gives the FQDN domain, setHostnameAsFQDN makes it the hostname") {
  auto pod = make_pod("web-0", "shop");
  pod.spec.hostname = "db";
  pod.spec.subdomain = "backend";
  auto name = pod_hostname(pod, "cluster.local");
  REQUIRE(name.ok());
  CHECK(name->hostname == "db");
  CHECK(name->domain == "backend.shop.svc.cluster.local");
  CHECK(name->fqdn() == "db.backend.shop.svc.cluster.local");
  pod.spec.set_hostname_as_fqdn = true;
  CHECK(pod_hostname(pod, "cluster.local")->hostname == "db.backend.shop.svc.cluster.local");
}

TEST_CASE("/etc/hosts matches kubelet's managed file byte for byte") {
  const std::string expected =
      "# Kubernetes-managed hosts file.\n"
      "127.0.0.1\tlocalhost\n"
      "::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\n"
      "fe00::0\tip6-mcastprefix\n"
      "fe00::1\tip6-allnodes\n"
      "fe00::2\tip6-allrouters\n"
      "10.244.1.5\tweb-0\n";
  CHECK(render_hosts_file({"10.244.1.5"}, "web-0", "", {}) == expected);

  std::vector<kube::HostAlias> aliases{{"127.0.0.1", {"foo.local", "bar.local"}}, {"10.1.2.3", {"foo.remote"}}};
  CHECK(render_hosts_file({"10.244.1.5"}, "db", "backend.shop.svc.cluster.local", aliases) ==
        expected.substr(0, expected.rfind("10.244.1.5")) +
            "10.244.1.5\tdb.backend.shop.svc.cluster.local\tdb\n"
            "\n# Entries added by HostAliases.\n"
            "127.0.0.1\tfoo.local\tbar.local\n"
            "10.1.2.3\tfoo.remote\n");
}

TEST_CASE("/etc/hosts of a hostNetwork pod is the node's file under its own header") {
  CHECK(render_host_network_hosts_file("127.0.0.1 localhost\n", {{"10.0.0.1", {"a"}}}) ==
        "# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n"
        "\n# Entries added by HostAliases.\n10.0.0.1\ta\n");
}

TEST_CASE("resolv.conf: ClusterFirst uses cluster DNS, the upstream search list and ndots:5") {
  auto dns = pod_dns(make_pod("web", "shop"), cluster_dns());
  REQUIRE(dns.ok());
  CHECK(dns->warnings.empty());
  CHECK(render_resolv_conf(dns->config) ==
        "search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\n"
        "nameserver 10.96.0.10\n"
        "options ndots:5\n");
}

TEST_CASE("resolv.conf: Default, hostNetwork+ClusterFirst and ClusterFirstWithHostNet") {
  auto pod = make_pod("web");
  pod.spec.dns_policy = "Default";
  const std::string host_rendered =
      "search corp.example lab.example\nnameserver 192.0.2.53\nnameserver 192.0.2.54\noptions edns0 ndots:1\n";
  CHECK(render_resolv_conf(pod_dns(pod, cluster_dns())->config) == host_rendered);

  pod.spec.dns_policy = "ClusterFirst";
  pod.spec.host_network = true;
  CHECK(render_resolv_conf(pod_dns(pod, cluster_dns())->config) == host_rendered);

  pod.spec.dns_policy = "ClusterFirstWithHostNet";
  CHECK(pod_dns(pod, cluster_dns())->config.nameservers == std::vector<std::string>{"10.96.0.10"});
}

TEST_CASE("resolv.conf: None takes dnsConfig alone; dnsConfig merges into other policies") {
  auto pod = make_pod("web");
  pod.spec.dns_policy = "None";
  auto missing = pod_dns(pod, cluster_dns());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "pod default/web: spec.dnsConfig: required when spec.dnsPolicy is None");

  pod.spec.dns_config = kube::PodDNSConfig{{"1.1.1.1"}, {"my.example"}, {{"ndots", std::string("2")}, {"edns0", {}}}};
  CHECK(render_resolv_conf(pod_dns(pod, cluster_dns())->config) ==
        "search my.example\nnameserver 1.1.1.1\noptions ndots:2 edns0\n");

  pod.spec.dns_policy = "ClusterFirst";
  auto merged = pod_dns(pod, cluster_dns());
  REQUIRE(merged.ok());
  CHECK(merged->config.nameservers == std::vector<std::string>{"10.96.0.10", "1.1.1.1"});
  CHECK(merged->config.searches.back() == "my.example");
  CHECK(merged->config.options == std::vector<std::string>{"ndots:2", "edns0"});  // ndots overridden

  pod.spec.dns_policy = "Bogus";
  CHECK(pod_dns(pod, cluster_dns()).error().message ==
        "pod default/web: spec.dnsPolicy: unsupported value \"Bogus\" (ClusterFirst, ClusterFirstWithHostNet, Default, None)");
}

TEST_CASE("resolv.conf: limits cut nameservers to 3 and the search line, with warnings") {
  auto pod = make_pod("web");
  pod.spec.dns_policy = "None";
  kube::PodDNSConfig cfg;
  cfg.nameservers = {"1.1.1.1", "1.1.1.2", "1.1.1.3", "1.1.1.4"};
  for (int i = 0; i < 40; ++i) cfg.searches.push_back("d" + std::to_string(i) + ".example");
  pod.spec.dns_config = cfg;
  auto dns = pod_dns(pod, cluster_dns());
  REQUIRE(dns.ok());
  CHECK(dns->config.nameservers.size() == 3);
  CHECK(dns->config.searches.size() == 32);
  REQUIRE(dns->warnings.size() == 2);
  CHECK(dns->warnings[0].rfind("Nameserver limits were exceeded", 0) == 0);
  CHECK(dns->warnings[1].rfind("Search Line limits were exceeded", 0) == 0);
}

TEST_CASE("resolv.conf: ClusterFirst without --cluster-dns falls back to Default with a warning") {
  auto node = cluster_dns();
  node.cluster_dns.clear();
  auto dns = pod_dns(make_pod("web"), node);
  REQUIRE(dns.ok());
  CHECK(dns->config.nameservers == std::vector<std::string>{"192.0.2.53", "192.0.2.54"});
  REQUIRE(dns->warnings.size() == 1);
  CHECK(dns->warnings[0].find("Falling back to \"Default\" policy") != std::string::npos);
}

TEST_CASE("pod files are rendered and written atomically, readable by anyone") {
  const nodeagent::testing::TempDir tmp("na-podfiles-test");
  const std::string& dir = tmp.path();

  NodeFacts node{"node-1", "127.0.0.1 localhost\n", cluster_dns()};
  auto files = render_pod_files(make_pod("web"), {"10.244.1.9"}, node);
  REQUIRE(files.ok());
  CHECK(files->hostname == "web\n");
  auto paths = write_pod_files(dir + "/pod", *files);
  REQUIRE(paths.ok());
  std::ifstream hosts(paths->hosts);
  std::string content((std::istreambuf_iterator<char>(hosts)), {});
  CHECK(content == files->hosts);
  CHECK(content.find("10.244.1.9\tweb\n") != std::string::npos);
  CHECK((std::filesystem::status(paths->resolv_conf).permissions() & std::filesystem::perms::others_read) !=
        std::filesystem::perms::none);

  // A re-sync with the same content leaves the files alone (same inode); a change replaces them.
  struct stat before {}, after {};
  ::stat(paths->hosts.c_str(), &before);
  REQUIRE(write_pod_files(dir + "/pod", *files).ok());
  ::stat(paths->hosts.c_str(), &after);
  CHECK(before.st_ino == after.st_ino);
  auto changed = *files;
  changed.hosts += "10.0.0.1\textra\n";
  REQUIRE(write_pod_files(dir + "/pod", changed).ok());
  ::stat(paths->hosts.c_str(), &after);
  CHECK(before.st_ino != after.st_ino);

  auto host_pod = make_pod("agent");
  host_pod.spec.host_network = true;
  auto host_files = render_pod_files(host_pod, {"192.168.50.1"}, node);
  REQUIRE(host_files.ok());
  CHECK(host_files->hostname == "node-1\n");
  CHECK(host_files->hosts.rfind("# Kubernetes-managed hosts file (host network).\n", 0) == 0);
}
