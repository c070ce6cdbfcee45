//go:build go1.23

package moneykit

import "iter"

// All returns an iterator over the batch's results, for range-over-func
// (Go 1.23 or later):
//
//	for r, err := range batch.All() {
//		if err != nil { log.Print(r.LinkID, err); continue }
//		use(r.LinkID, r.Identity)
//	}
//
// Each result comes with its Err. When the batch ended early (Err: the
// context ended, the Client closed), one last pair carries that error with
// Index -1 and an empty LinkID. Breaking out of the loop closes the batch.
func (b *Batch) All() iter.Seq2[BatchResult, error] {
	return func(yield func(BatchResult, error) bool) {
		for b.Next() {
			r := b.Result()
			if !yield(r, r.Err) {
				b.Close()
				return
			}
		}
		if err := b.Err(); err != nil {
			yield(BatchResult{Index: -1}, err)
		}
	}
}
