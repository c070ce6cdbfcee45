// Package include holds moneykit.h for cgo; it is a Go package only so that
// `go mod vendor` keeps this directory (see vendor_dirs.go).
package include
