//go:build !moneykit_pkgconfig

package moneykit

// Prebuilt linking (the published module's default on linux/amd64): the header
// and a static libmoneykit.a ship inside the module (include/ and
// lib/linux-amd64/, wasmtime-go's layout), so `go get` + `go build` need no
// CGO_* variables, no pkg-config and no checkout, and the program does not
// load libmoneykit.so at run time. The -l flags are what the Rust standard
// library inside the archive needs from the system (`cargo rustc --crate-type
// staticlib -- --print native-static-libs`). Build with `-tags
// moneykit_pkgconfig` to link an installed shared library instead
// (link_pkgconfig.go).
//
// This file is written into the module by `make go-module`
// (bindings/go/module.sh, from bindings/go/_module/); in the repository the
// default is in-tree linking (link_intree.go).

/*
#cgo CFLAGS: -I${SRCDIR}/include
#cgo LDFLAGS: ${SRCDIR}/lib/linux-amd64/libmoneykit.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
*/
import "C"
