package api

import (
	"github.com/pflicht/pflicht/internal/clock"
	"github.com/pflicht/pflicht/internal/fines"
	"github.com/pflicht/pflicht/internal/scope"
	"github.com/pflicht/pflicht/internal/view"
)

// The stateless engine endpoints take and return the JSON of `pflicht check`,
// `pflicht fine` and `pflicht deadline --json`: the types of package view,
// which the CLI uses too, so a file that works with the CLI works here.

func (h *handler) check(c *call, req view.CheckRequest) (scope.Result, error) {
	p, asOf, err := req.Input(c.today())
	if err != nil {
		return scope.Result{}, err
	}
	return scope.Check(p, asOf)
}

func (h *handler) fine(c *call, req view.FineRequest) (view.FineResponse, error) {
	fc, err := req.Case(c.today())
	if err != nil {
		return view.FineResponse{}, err
	}
	r, err := fines.Compute(fc)
	if err != nil {
		return view.FineResponse{}, err
	}
	return view.NewFineResponse(r), nil
}

func (h *handler) deadline(c *call, req view.DeadlineRequest) (view.Timeline, error) {
	in, err := req.Input(c.now)
	if err != nil {
		return view.Timeline{}, err
	}
	r, err := clock.Compute(in)
	if err != nil {
		return view.Timeline{}, err
	}
	return view.NewTimeline(r, in.Now), nil
}
