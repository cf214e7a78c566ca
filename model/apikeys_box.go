package model

import (
	"context"
	"time"
)

// APIKeysSealedElsewhere returns the API keys whose application secret
// box does not open: keys sealed under another API secret key file,
// whose signed calls fail on a server given box. Support's tools check a
// file with it before they seal a new key under it.
func (d *Desk) APIKeysSealedElsewhere(ctx context.Context, box SecretBox) ([]APIKey, error) {
	var out []APIKey
	err := d.view(ctx, func(tx Tx, _ time.Time) error {
		ks, err := tx.APIKeys("")
		if err != nil {
			return err
		}
		out = out[:0]
		for _, k := range ks {
			rec, err := tx.APIKey(k.AppKey)
			if err != nil {
				return err
			}
			if _, err := box.Open(rec.Secret, []byte(rec.AppKey)); err != nil {
				out = append(out, k)
			}
		}
		return nil
	})
	return out, err
}
