package main

import (
	"math/rand/v2"
	"strings"
	"time"
)

// The behaviours a demo release can be given with the DEMO_BEHAVIOUR env entry of its
// release snapshot.
const (
	behaviourHealthy      = "healthy"
	behaviourUnauthorized = "unauthorized"
	behaviourError        = "error"
	behaviourSlow         = "slow"
)

// behaviourEnv is the env entry of a release snapshot that sets its demo behaviour.
const behaviourEnv = "DEMO_BEHAVIOUR"

// normalizeBehaviour maps an env value to a known behaviour; an empty or unknown value
// is healthy. The second result is false when the value was not empty and not known.
func normalizeBehaviour(v string) (string, bool) {
	switch b := strings.ToLower(strings.TrimSpace(v)); b {
	case "":
		return behaviourHealthy, true
	case behaviourHealthy, behaviourUnauthorized, behaviourError, behaviourSlow:
		return b, true
	default:
		return behaviourHealthy, false
	}
}

// simulate answers one request in-process the way a release of this behaviour would:
// it returns the HTTP status code and the latency the request would have had.
// Nothing is sent anywhere and nothing sleeps.
func simulate(behaviour string, rng *rand.Rand) (code int, latency time.Duration) {
	b, _ := normalizeBehaviour(behaviour)
	switch b {
	case behaviourUnauthorized:
		return 401, between(rng, 1*time.Millisecond, 5*time.Millisecond)
	case behaviourError:
		return 500, between(rng, 2*time.Millisecond, 10*time.Millisecond)
	case behaviourSlow:
		return 200, between(rng, 400*time.Millisecond, 600*time.Millisecond)
	default:
		return 200, between(rng, 5*time.Millisecond, 20*time.Millisecond)
	}
}

// between returns a uniformly random duration in [lo, hi].
func between(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	return lo + time.Duration(rng.Int64N(int64(hi-lo)+1))
}
