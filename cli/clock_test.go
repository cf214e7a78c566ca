package cli

// The tests of this package may fix the desk's time with
// $CONTACTDESK_NOW; a contactdesk binary never does (see testClock).
func init() { testClock = true }
