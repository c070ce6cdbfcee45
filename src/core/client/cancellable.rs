//! A transport layer between TCP and TLS that makes blocking socket waits
//! cancellable (see `core::cancel`): each wait is cut into slices of at most
//! `cancel::SLICE`, and between slices the call's cancel handle is checked.
//! A cancelled wait fails with an I/O error of kind `ConnectionAborted`; the client
//! reports it as `MK_ERR_CANCELLED`.

use crate::core::cancel::{current_is_cancelled, SLICE};
use std::io;
use ureq::unversioned::transport::time::Duration as UreqDuration;
use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

/// Wraps whatever the previous connector in the chain produced (the TCP socket).
#[derive(Debug, Default)]
pub(super) struct CancelConnector;

impl<In: Transport> Connector<In> for CancelConnector {
    type Out = Cancellable<In>;

    fn connect(
        &self,
        _details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(Cancellable))
    }
}

#[derive(Debug)]
pub(super) struct Cancellable<T>(T);

fn cancelled() -> ureq::Error {
    // Not `Interrupted`: std's read loops retry that kind instead of failing.
    ureq::Error::Io(io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "call cancelled",
    ))
}

/// `timeout` cut to at most one slice, and whether the cut happened.
fn slice(timeout: NextTimeout) -> (NextTimeout, bool) {
    match timeout.after {
        UreqDuration::Exact(d) if d <= SLICE => (timeout, false),
        _ => (
            NextTimeout {
                after: UreqDuration::Exact(SLICE),
                ..timeout
            },
            true,
        ),
    }
}

/// What is left of `timeout` after `spent`.
fn minus(mut timeout: NextTimeout, spent: std::time::Duration) -> NextTimeout {
    if let UreqDuration::Exact(d) = timeout.after {
        timeout.after = UreqDuration::Exact(d.saturating_sub(spent));
    }
    timeout
}

impl<T: Transport> Transport for Cancellable<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.0.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        // Requests are small: a write that blocks is rare, so it is not sliced
        // (a partial write cannot be resumed through this interface).
        if current_is_cancelled() {
            return Err(cancelled());
        }
        self.0.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, mut timeout: NextTimeout) -> Result<bool, ureq::Error> {
        loop {
            if current_is_cancelled() {
                return Err(cancelled());
            }
            let (part, was_cut) = slice(timeout);
            let started = std::time::Instant::now();
            match self.0.await_input(part) {
                Err(ureq::Error::Timeout(_)) if was_cut => {
                    timeout = minus(timeout, started.elapsed());
                }
                other => return other,
            }
        }
    }

    fn is_open(&mut self) -> bool {
        self.0.is_open()
    }

    fn is_tls(&self) -> bool {
        self.0.is_tls()
    }
}
