"""``neural_attribution``: open a small neural network (digits MLP): forward pass and input
gradients by hand, gradient x input, SmoothGrad, integrated gradients, occlusion, and the
model-randomisation sanity check."""
