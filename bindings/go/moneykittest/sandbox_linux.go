package moneykittest

import (
	"os/exec"
	"syscall"
)

// killWithParent makes the kernel kill the sandbox if the test binary dies
// without running its cleanup (e.g. go test's -timeout panic).
func killWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
