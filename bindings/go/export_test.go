package moneykit

// Test hooks for the external test package (moneykit_test).

// LiveClients is the number of clients created and not yet freed.
func LiveClients() int64 { return liveClients.Load() }

// LiveCStrings is the number of strings the C library handed out and the
// package has not yet freed with mk_string_free.
func LiveCStrings() int64 { return liveCStrings.Load() }

// CCallsRunning is the number of mk_get_identity calls currently inside C.
func CCallsRunning() int64 { return cCallsRunning.Load() }

// OptionsJSON is the options JSON NewClient would pass to mk_client_new.
func OptionsJSON(o Options) (string, error) {
	b, err := o.json()
	return string(b), err
}

// ParseError builds an *Error from a status and an error JSON, as a failed
// C call does.
func ParseError(s Status, errJSON string) *Error { return parseError(s, []byte(errJSON)) }

// LiveBatches is the number of batches started and not yet freed.
func LiveBatches() int64 { return liveBatches.Load() }

// LiveViews is the number of typed views made and not yet freed.
func LiveViews() int64 { return liveViews.Load() }

// LiveVerifiers is the number of webhook verifiers made and not yet freed.
func LiveVerifiers() int64 { return liveVerifiers.Load() }
