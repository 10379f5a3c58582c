// Package view holds the JSON forms of the engines' inputs and results that
// `pflicht check|fine|deadline --json` and the API under /api/v1 share, so a
// file that works with the CLI works with the API and both answer alike.
//
// The engines stay free of presentation: here a time is shown in
// Europe/Berlin, an unknown value is null, a duration is whole seconds, and
// an input is read as the strings a user typed so that a bad one is reported
// with its JSON field. Errors are the engines' own FieldErrors, which the CLI
// and the API already report by field.
//
// The struct tags doc, format and enum describe the API's OpenAPI document
// (internal/api); encoding/json ignores them.
package view
