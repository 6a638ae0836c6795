package main

// picker chooses a backend index by weight with the smooth weighted round-robin
// algorithm (the one nginx uses). It is deterministic: over any window of sum(weights)
// consecutive picks every backend is chosen exactly weight times, and the picks of
// each backend are spread evenly inside the window instead of coming in bursts.
// A backend of weight 0 is never picked. A picker is not safe for concurrent use.
type picker struct {
	weights []int64
	current []int64
	total   int64
}

// newPicker returns a picker over the given weights. Negative weights count as 0.
func newPicker(weights []int64) *picker {
	p := &picker{weights: make([]int64, len(weights)), current: make([]int64, len(weights))}
	for i, w := range weights {
		if w < 0 {
			w = 0
		}
		p.weights[i] = w
		p.total += w
	}
	return p
}

// pick returns the index of the next backend, or -1 when every weight is 0
// (or there is no backend at all).
func (p *picker) pick() int {
	if p.total <= 0 {
		return -1
	}
	best := -1
	for i, w := range p.weights {
		if w == 0 {
			continue
		}
		p.current[i] += w
		if best < 0 || p.current[i] > p.current[best] {
			best = i
		}
	}
	p.current[best] -= p.total
	return best
}

// sameWeights tells whether the picker already runs over these weights, so that a
// route whose weights did not change keeps its round-robin position.
func (p *picker) sameWeights(weights []int64) bool {
	if len(weights) != len(p.weights) {
		return false
	}
	for i, w := range weights {
		if w < 0 {
			w = 0
		}
		if w != p.weights[i] {
			return false
		}
	}
	return true
}
