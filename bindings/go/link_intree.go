//go:build !moneykit_pkgconfig

package moneykit

// In-tree linking (the default): the header comes from the repository's
// include/ and the library from target/release (built by `make build`), with
// an rpath so programs and tests run without LD_LIBRARY_PATH. Flags in the
// CGO_CFLAGS / CGO_LDFLAGS environment variables come before these, so
// `CGO_LDFLAGS="-L/opt/moneykit/lib -Wl,-rpath,/opt/moneykit/lib"` wins over
// the in-tree directory. Build with `-tags moneykit_pkgconfig` to use an
// installed library through pkg-config instead (link_pkgconfig.go).
//
// The published module (`make go-module`, bindings/go/module.sh) leaves this
// file out and links the header and static library it carries instead
// (_module/link_linux_amd64.go); see README.md, Install and Linking.

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#cgo LDFLAGS: -L${SRCDIR}/../../target/release -lmoneykit -Wl,-rpath,${SRCDIR}/../../target/release
*/
import "C"
