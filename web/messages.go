package web

import "fmt"

// lang is the language of the page's words, in its lang attribute.
const lang = "en"

// messages are every word the page says that is not the desk's own (a
// service's name, a refusal's reason), by key, in one place, so that the
// page can be translated: a language is one more map like this one. The
// templates take them with {{t "key"}}; the handlers fill the %
// placeholders with say.
var messages = map[string]string{
	"desk":     "Contact desk",
	"footer":   "This page answers the link of a mail from your hosting provider's contact desk. Keep your token to yourself: it answers for you.",
	"home":     "Open the link of your mail: it leads to the request it is about, with your token filled in.",
	"notFound": "There is no such page here.",

	"request":  "Request #%d: new %s contact for %s",
	"requestN": "Request #%d",
	"youAre":   "You answer as %s (%s).",

	"service":   "Service",
	"change":    "Change",
	"changeVal": "%s contact: %s → %s",
	"asked":     "Asked by",
	"askedVal":  "%s, on %s",
	"state":     "State",
	"expires":   "Expires",
	"ended":     "Ended",

	"state.validatingByCustomers": "waiting for answers",
	"waitingFor":                  "waiting for answers from %s",
	"state.done":                  "done: the change was made",
	"state.refused":               "refused",
	"state.expired":               "expired",
	"state.cancelled":             "cancelled",

	"parties":         "Who must confirm",
	"account":         "Account",
	"as":              "As",
	"answer":          "Answer",
	"you":             "you",
	"answer.pending":  "not answered yet",
	"answer.accepted": "accepted on %s",
	"answer.refused":  "refused on %s",

	"tokenLabel":  "Your personal token",
	"tokenHint":   "From your mail; it works once, and only for you.",
	"accept":      "Accept",
	"refuse":      "Refuse",
	"formNote":    "Accepting confirms the change once everyone has. Refusing ends the request for everyone.",
	"askToken":    "Paste the token of your mail for request #%d, or open the link of the mail: it has the token filled in.",
	"open":        "Open the request",
	"badRequest":  "That form can't be read: answer with the Accept or Refuse button of the request's page.",
	"tooMuchForm": "That form is too large to be an answer.",

	"accepted":     "You accepted request #%d; still waiting for %s.",
	"done":         "Done: %s is now the %s contact of %s.",
	"refused":      "You refused request #%d: the %s contact of %s stays %s.",
	"endedRefused": "Request #%d ended refused: %s",

	"wrongTitle":    "This token does not open request #%d",
	"closedTitle":   "Request #%d takes no answer from this link",
	"triesLeft":     "%d more tries before a pause.",
	"oneTryLeft":    "1 more try before a pause.",
	"noTryLeft":     "That was the last try for now: tries are paused for %s.",
	"pausedTitle":   "Too many wrong tokens",
	"pausedClient":  "Too many wrong tokens came from your address: try again in %s.",
	"pausedRequest": "Too many wrong tokens were tried on request #%d: its page takes no token for %s. You can still answer in the contact desk itself.",
	"refusedTitle":  "Your answer was not recorded",
	"failedTitle":   "Something went wrong",
	"failed":        "The desk could not record or read this right now, and nothing was changed. Try again in a moment.",

	"minutes": "%d minutes",
	"minute":  "1 minute",
}

// say returns the message key with its placeholders filled.
func say(key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		panic("web: no message " + key)
	}
	if len(args) == 0 {
		return m
	}
	return fmt.Sprintf(m, args...)
}
