// Package facts turns stored records into the inputs of the law engines: a
// stored profile into a scope.Profile; an incident with its reports and
// events into a clock.Input, and from its clock the next due instant the
// store keeps for the overdue feed (NextDue); a stored product version into
// the cra engine's class, Art. 32 routes and Art. 13 support period
// (AssessVersion, SupportOf), and a version's input into a checked
// store.ProductVersion (ProductVersion); a finding into open or not. The
// portal and the API both answer legal questions about stored data; doing
// the translation here once keeps their answers and refusals the same.
package facts
