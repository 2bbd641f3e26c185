package ops

import G "gorgonia.org/gorgonia"

// Needed returns the part of root's graph that root and the nodes in more
// depend on: the graph to compile for a training step, given the loss and
// the parameters' gradient nodes. Gradients that G.Grad builds but nothing
// uses (a first layer's input gradient, a constant target's) are left out.
func Needed(root *G.Node, more ...*G.Node) *G.ExprGraph {
	return root.Graph().ExactSubgraphRoots(append([]*G.Node{root}, more...)...)
}
