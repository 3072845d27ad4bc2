// Command etcd is upstream etcd's server main, built from the module proxy because
// Debian's etcd (3.4) is older than what current Kubernetes supports.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
