package moneykit

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "moneykit.h"
*/
import "C"

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// batchPoll is how long one mk_batch_next waits in C for a result before
// Next looks again: it bounds how long Close waits for a Next running on
// another goroutine. A context's end does not wait for it (mk_batch_cancel).
const batchPoll = 100 // ms

// liveBatches counts the batches started and not yet freed (for the tests).
var liveBatches atomic.Int64

// BatchResult is one link's outcome. Exactly one of Identity and Err is set.
type BatchResult struct {
	// Index is the link's position in the slice given to Identities.
	Index int
	// LinkID is the link id, as given.
	LinkID string
	// Identity is the decoded identity (its RequestID is "": batch items
	// carry no request id). JSON is the body exactly as sent.
	Identity *IdentityResponse
	JSON     []byte
	// Err is an *Error matching its status's sentinel (ErrNotFound, ...). A
	// call that the batch's context ended matches ErrCancelled and
	// context.Canceled (or the deadline's errors), as GetIdentity's do.
	Err error
}

// Batch is a running Identities call: the identities of many links fetched
// through one Client with bounded concurrency, within MoneyKit's rate limits,
// delivered as they complete. Iterate it like bufio.Scanner or sql.Rows:
//
//	batch, err := client.Identities(ctx, links, moneykit.BatchOptions{})
//	if err != nil { ... }
//	defer batch.Close()
//	for batch.Next() {
//		r := batch.Result()
//		if r.Err != nil { ...; continue }
//		use(r.LinkID, r.Identity)
//	}
//	if err := batch.Err(); err != nil { ... } // the context ended, the Client closed
//
// (with Go 1.23 or later, `for r, err := range batch.All()` does the same).
// Next and Result belong to one goroutine at a time; Progress, Len, Cancel
// and Close may be called from any goroutine at any time. The batch frees its
// C handle once Next has returned false; Close frees it earlier (calls in
// flight are cancelled, about 100 ms). Until then it counts as a call in
// flight of its Client: close or drain every batch; Client.Close frees the
// ones left.
type Batch struct {
	c     *Client
	ctx   context.Context
	total int

	next sync.Mutex // one Next at a time
	cur  BatchResult

	mu       sync.RWMutex // read-held around every C call on ptr, write-held to free it
	ptr      *C.mk_batch  // nil once freed
	stop     func() bool  // stops the context's AfterFunc; nil without one
	err      error        // why the batch ended early; set when freed
	last     BatchProgress
	ctxEnded atomic.Bool // the context's end cancelled the batch
}

// Identities starts fetching the identity of every link in links (a link
// listed twice is fetched twice) and returns at once; results come out of the
// returned Batch's Next as calls complete, in completion order, one per link.
// The library paces requests within opts' limits (MoneyKit's documented ones
// by default: 600 a minute per app, 3 a minute per link) and pauses every
// worker on a 429 for its Retry-After, so a batch with the default options
// gets no 429 from a server enforcing those limits. At most 2 × Concurrency
// finished results wait for Next: a batch that is not read stops working, so
// memory stays flat for any number of links.
//
// ctx bounds the whole batch: when it ends, the batch is cancelled (calls in
// flight end within about 100 ms and are delivered with errors matching
// ctx.Err(); links not yet started give no result) and Err reports it. Errors
// are *Error values: ErrInvalidArgument for an empty, too long or NUL-holding
// link id or out-of-range options (nothing starts), ErrClosed for a closed
// Client, the context's error for a context already done.
func (c *Client) Identities(ctx context.Context, links []string, opts BatchOptions) (*Batch, error) {
	if ctx == nil {
		return nil, newError(StatusInvalidArgument, "nil Context")
	}
	if cerr := contextErr(ctx); cerr != nil {
		return nil, contextError(ctx, cerr, nil)
	}
	if err := opts.check(); err != nil {
		return nil, err
	}
	optJSON, err := opts.json()
	if err != nil { // never expected: check refused what JSON cannot hold
		return nil, newError(StatusInvalidArgument, "BatchOptions: "+err.Error(), err)
	}
	for i, l := range links {
		if strings.IndexByte(l, 0) >= 0 {
			return nil, newError(StatusInvalidArgument, fmt.Sprintf("links[%d] contains a NUL byte", i))
		}
	}
	cOpts := C.CString(string(optJSON))
	defer C.free(unsafe.Pointer(cOpts))
	// Go memory holding only C pointers may be passed to C.
	ids := make([]*C.char, len(links))
	defer func() {
		for _, p := range ids {
			C.free(unsafe.Pointer(p))
		}
	}()
	for i, l := range links {
		ids[i] = C.CString(l)
	}
	var idsPtr **C.char
	if len(ids) > 0 {
		idsPtr = &ids[0]
	}

	// Counted as a call in flight from before mk_batch_start until freed.
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, newError(StatusInvalidArgument, "the client is closed", ErrClosed)
	}
	c.calls.Add(1)
	c.mu.Unlock()

	var ptr *C.mk_batch
	var errStr *C.char
	rc := C.mk_batch_start(c.ptr, idsPtr, C.size_t(len(ids)), cOpts, &ptr, &errStr)
	takeCString(errStr)
	defer freeCString(errStr)
	if rc != C.MK_OK {
		if ptr != nil { // never expected: NULL on error
			C.mk_batch_free(ptr)
		}
		c.calls.Done()
		e := errorFromC(rc, errStr)
		if e.Status == StatusInvalidArgument {
			e.Message = goOptionMessage(e.Message, fieldName(batchOptionsFields))
		}
		return nil, e
	}
	liveBatches.Add(1)
	b := &Batch{c: c, ctx: ctx, total: len(links), ptr: ptr}
	b.last.Total = len(links)

	c.mu.Lock()
	closed := c.closed
	if !closed {
		c.batches[b] = struct{}{}
	}
	c.mu.Unlock()
	if closed { // Close ran meanwhile and is waiting for this call
		b.closeBy(nil, false)
		return nil, newError(StatusInvalidArgument, "the client is closed", ErrClosed)
	}
	if ctx.Done() != nil {
		b.stop = context.AfterFunc(ctx, func() {
			b.ctxEnded.Store(true)
			b.Cancel()
		})
	}
	return b, nil
}

// Len returns the number of links in the batch (for progress bars).
func (b *Batch) Len() int { return b.total }

// Next waits for the next result and reports whether there is one (read it
// with Result). It returns false once every result was delivered, or the
// batch was cancelled and what it had made was delivered, or it was closed;
// then the C handle is freed and Err tells whether the end was early.
func (b *Batch) Next() bool {
	b.next.Lock()
	defer b.next.Unlock()
	b.cur = BatchResult{}
	for {
		b.mu.RLock()
		if b.ptr == nil {
			b.mu.RUnlock()
			return false
		}
		var item C.mk_batch_item
		var errStr *C.char
		rc := C.mk_batch_next(b.ptr, batchPoll, &item, &errStr)
		b.mu.RUnlock()
		takeCString(errStr)
		switch rc {
		case C.MK_OK:
			freeCString(errStr)
			b.cur = b.result(&item)
			return true
		case C.MK_BATCH_PENDING:
			freeCString(errStr)
		case C.MK_BATCH_DONE:
			freeCString(errStr)
			b.closeBy(nil, true)
			return false
		default: // never expected with a live batch
			err := errorFromC(rc, errStr)
			freeCString(errStr)
			b.closeBy(err, false)
			return false
		}
	}
}

// result converts an item and frees its strings.
func (b *Batch) result(citem *C.mk_batch_item) BatchResult {
	takeCString(citem.link_id)
	takeCString(citem.json)
	takeCString(citem.error)
	item := batchItemFromC(citem)
	freeCString(citem.link_id)
	freeCString(citem.json)
	freeCString(citem.error)
	r := BatchResult{Index: item.Index, LinkID: item.LinkID}
	if item.Status == StatusOK && item.JSON != nil {
		r.JSON = item.JSON
		// The library validated the body; parsing it again builds the view.
		if id, err := parseView(r.JSON); err != nil {
			r.Err = err
		} else {
			r.Identity = id
		}
		return r
	}
	status := item.Status
	if status == StatusOK { // never expected: MK_OK without a body
		status = StatusInternal
	}
	var e *Error
	if item.Error != nil {
		e = parseError(status, []byte(*item.Error))
	} else {
		e = parseError(status, nil)
	}
	if e.Status == StatusCancelled {
		if cerr := contextErr(b.ctx); cerr != nil && b.ctxEnded.Load() {
			e = contextError(b.ctx, cerr, e)
		} else if b.c.isClosed() {
			e.extra = append(e.extra, ErrClosed)
		}
	}
	r.Err = e
	return r
}

// Result returns the result Next has just made available.
func (b *Batch) Result() BatchResult { return b.cur }

// Err returns nil when the batch ended normally (every result delivered, or
// Cancel or Close called), else why it ended early: an *Error matching the
// context's error (ErrCancelled and context.Canceled, or ErrTimeout and
// context.DeadlineExceeded) or, after the Client's Close, ErrClosed.
func (b *Batch) Err() error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.err
}

// Progress returns a snapshot of the batch's progress; after the batch was
// freed, the last one taken.
func (b *Batch) Progress() BatchProgress {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.ptr == nil {
		return b.last
	}
	return b.progressLocked()
}

func (b *Batch) progressLocked() BatchProgress {
	var p C.mk_batch_progress
	var errStr *C.char
	rc := C.mk_batch_get_progress(b.ptr, &p, &errStr)
	takeCString(errStr)
	freeCString(errStr)
	if rc != C.MK_OK {
		return b.last
	}
	return batchProgressFromC(&p)
}

// Cancel stops the batch: no new call starts; calls in flight end within
// about 100 ms and are delivered as results matching ErrCancelled, then Next
// returns false. Idempotent; any goroutine.
func (b *Batch) Cancel() {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.ptr != nil {
		C.mk_batch_cancel(b.ptr)
	}
}

// Close cancels the batch if it still runs, drops the results not taken and
// frees it (about 100 ms when calls are in flight). Idempotent; any
// goroutine (a Next running elsewhere then returns false). It returns nil.
func (b *Batch) Close() error {
	b.closeBy(nil, false)
	return nil
}

// closeBy frees the batch once; reason (nil: none) becomes Err unless the
// context's end explains it. done: every result was delivered (nothing to
// cancel, so the last Progress does not say Cancelled).
func (b *Batch) closeBy(reason error, done bool) {
	if !done {
		b.Cancel() // workers stop while we wait for the lock
	}
	b.mu.Lock()
	if b.ptr == nil {
		b.mu.Unlock()
		return
	}
	if b.stop != nil {
		b.stop()
	}
	b.last = b.progressLocked()
	C.mk_batch_free(b.ptr)
	b.ptr = nil
	switch {
	case b.ctxEnded.Load() && b.last.Done < b.last.Total:
		cerr := contextErr(b.ctx)
		if cerr == nil {
			cerr = context.Canceled
		}
		b.err = contextError(b.ctx, cerr, nil)
	case reason != nil:
		b.err = reason
	}
	b.mu.Unlock()
	liveBatches.Add(-1)

	c := b.c
	c.mu.Lock()
	delete(c.batches, b)
	c.mu.Unlock()
	c.calls.Done()
}
