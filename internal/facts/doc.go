// Package facts turns stored records into the inputs of the law engines: a
// stored profile into a scope.Profile, an incident with its reports and
// events into a clock.Input, a missed stage into its fines offence. The
// portal and the API both answer legal questions about stored data; doing
// the translation here once keeps their answers the same.
package facts
