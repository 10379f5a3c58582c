// Package clock computes statutory reporting deadlines: the §32 BSIG incident
// reporting stages, the §33/§34 BSIG registration periods and the Art. 14 CRA
// reporting tracks. It is pure: the current time is always an argument.
//
// Periods follow shared/spec/legal-spec.md §8: hour periods are exact elapsed
// time computed in UTC; BSIG day, week and month periods follow §§187, 188 BGB
// in Europe/Berlin; CRA periods are given as the exact offset from the event
// with the end under Regulation (EEC, Euratom) No 1182/71 beside it as a reading.
package clock
