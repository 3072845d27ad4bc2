//go:build tools

// Package tools pins upstream's agnhost, the one command this module exists to build, so that
// `go mod tidy` keeps every module and go.sum line it needs.
package tools

import (
	_ "k8s.io/kubernetes/test/images/agnhost"
)
