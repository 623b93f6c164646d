// Command etcd runs the etcd server of the go.etcd.io/etcd/server/v3 release
// pinned in go.mod.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
