// Package linuxamd64 holds the static libmoneykit.a for linux/amd64; it is a
// Go package only so that `go mod vendor` keeps this directory (see
// vendor_dirs.go).
package linuxamd64
