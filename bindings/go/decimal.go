package moneykit

import (
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Decimal is an exact amount: the JSON number's text exactly as the server
// sent it (e.g. "340.12", "1e3"), never rounded through a float64. Use Rat for
// arithmetic, Canonical for a normalised text, Float64 for display.
type Decimal string

// String returns the number exactly as sent.
func (d Decimal) String() string { return string(d) }

// Float64 returns the nearest float64 (rounded: use Rat or the text when
// exactness matters); NaN if d is not a number.
func (d Decimal) Float64() float64 {
	f, err := strconv.ParseFloat(string(d), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return math.NaN()
	}
	return f
}

// Rat returns the exact value as a big.Rat, or nil if d is not a number (or
// its exponent is beyond what math/big accepts).
func (d Decimal) Rat() *big.Rat {
	r, ok := new(big.Rat).SetString(string(d))
	if !ok {
		return nil
	}
	return r
}

// Canonical returns the number in plain notation: no exponent, no "+", no
// leading zeros in the integer part, no trailing zeros in the fraction, no
// "." when the fraction is empty, and -0 written "0" ("1e3" -> "1000",
// "1.50" -> "1.5", "1E-3" -> "0.001"). It is the conformance corpus's form.
func (d Decimal) Canonical() string {
	text := string(d)
	negative := strings.HasPrefix(text, "-")
	text = strings.TrimPrefix(text, "-")
	mantissa, exponent := text, 0
	if i := strings.IndexAny(text, "eE"); i >= 0 {
		mantissa = text[:i]
		// The core reads an exponent it cannot parse as 0; do the same.
		exponent, _ = strconv.Atoi(strings.TrimPrefix(text[i+1:], "+"))
	}
	intPart, fracPart, _ := strings.Cut(mantissa, ".")
	digits := intPart + fracPart
	first := strings.IndexFunc(digits, func(c rune) bool { return c != '0' })
	if first < 0 {
		return "0"
	}
	last := strings.LastIndexFunc(digits, func(c rune) bool { return c != '0' })
	significant := digits[first : last+1]
	// The decimal point sits after `point` digits of significant.
	point := len(intPart) + exponent - first
	var b strings.Builder
	if negative {
		b.WriteByte('-')
	}
	switch {
	case point <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -point))
		b.WriteString(significant)
	case point >= len(significant):
		b.WriteString(significant)
		b.WriteString(strings.Repeat("0", point-len(significant)))
	default:
		b.WriteString(significant[:point])
		b.WriteByte('.')
		b.WriteString(significant[point:])
	}
	return b.String()
}

// MarshalJSON writes the number's text as sent (null for an empty Decimal).
func (d Decimal) MarshalJSON() ([]byte, error) {
	if d == "" {
		return []byte("null"), nil
	}
	return []byte(d), nil
}
