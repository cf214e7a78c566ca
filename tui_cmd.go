package main

import "errors"

// runTUI opens the terminal app.
func (c *cli) runTUI(g opts) error {
	return errors.New("the terminal app is not built yet")
}
