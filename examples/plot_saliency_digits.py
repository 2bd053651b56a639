"""
Class templates and saliency maps of the two-layer model
========================================================

The two-layer model on digits, pooled curvelet magnitudes and an RBF SVC
(:func:`~sklearn_sparsecode.make_two_layer_model`), is differentiable end to
end: every step has a ``transform_vjp`` and the SVC's pairwise decision
functions have a gradient. Two questions a gradient answers:

* which image does the model find most typical of a class? Gradient ascent on
  the class score from a grey start, pixels kept in [0, 1]
  (:func:`~sklearn_sparsecode.inspection.maximize_activation`);
* which pixels of a given image does the score of its class depend on? The
  gradient of that score at the image
  (:func:`~sklearn_sparsecode.inspection.input_gradient`), a saliency map.

The class score of a multiclass SVC is the sum of its pairwise decision values
in favour of the class (:func:`~sklearn_sparsecode.inspection.class_score`);
the votes themselves are piecewise constant and have no useful gradient.
"""

# %%
# The model
# ---------
import os

import matplotlib.pyplot as plt
import numpy as np

from sklearn_sparsecode import CurveletTransformer, LocalPooling, make_two_layer_model
from sklearn_sparsecode.datasets import load_train_test
from sklearn_sparsecode.inspection import class_score, input_gradient, maximize_activation
from sklearn_sparsecode.plotting import plot_input_gradients, plot_maximized_activations

QUICK = os.environ.get("SKLEARN_SPARSECODE_QUICK") == "1"
X_train, y_train, X_test, y_test = load_train_test("digits")
pooled = LocalPooling(transformer=CurveletTransformer(n_scales=2, n_orientations=8, decimated=False),
                      grid=4, power=0.5)
model = make_two_layer_model(pooled, sign="keep", head="svc", C=3.0).fit(X_train, y_train)
print(f"test accuracy: {model.score(X_test, y_test):.3f}")

# %%
# Class templates
# ---------------
# One image per class, all ten computed together. A small total-variation
# penalty keeps them from turning into pixel noise; each panel's title gives
# the class score reached.
settings = dict(regularization={"tv": 0.1}, max_iter=60 if QUICK else 200, random_state=0)
plot_maximized_activations(model, targets=list(range(10)), **settings)
plt.show()

# %%
# The same templates against the test digits: the template's score, beside the
# mean and the largest score of the test digits of its class.
templates = maximize_activation(model, target=list(range(10)), **settings)
print("predicted class of each template:", model.predict(templates))
print("class  template  test mean  test max")
for k, template in enumerate(templates):
    real = class_score(model, X_test[y_test == k], target=k)
    mine = class_score(model, template[None], target=k)[0]
    print(f"{k:5d}  {mine:8.2f}  {real.mean():9.2f}  {real.max():8.2f}")

# %%
# Saliency maps
# -------------
# The gradient of the predicted class's score at eight test digits. Red pixels
# raise the score when they brighten, blue ones lower it; each panel has its
# own colour scale.
plot_input_gradients(model, X_test[:8])
plt.show()

# %%
# A gradient is a first-order statement about one image. Moving every pixel by
# 0.02 in the direction of its gradient's sign should raise the score of the
# predicted class, and moving it the other way should lower it:
predicted = model.predict(X_test[:8])
for image, k in zip(X_test[:8], predicted):
    g = input_gradient(model, image[None], target=k)[0]
    base = class_score(model, image[None], target=k)[0]
    up = class_score(model, (image + 0.02 * np.sign(g))[None], target=k)[0]
    down = class_score(model, (image - 0.02 * np.sign(g))[None], target=k)[0]
    print(f"class {k}: score {base:6.2f}, along the gradient {up:6.2f}, against it {down:6.2f}")

# %%
# What the figures show
# ---------------------
# Every template is classified as its own class, and each scores above the
# mean and even above the best test digit of its class (the table): the
# model's idea of a typical digit is more extreme than the digits themselves.
# Some templates are recognisable (the 0, the 1, the 7, the 9); others are
# bright, blocky strokes that only the model reads as their class. The
# saliency maps are not smooth: at 8 × 8 pixels a stroke is one or two pixels
# wide, and the score depends on local contrast through the curvelet
# magnitudes, so neighbouring pixels often pull in opposite directions. Along
# its gradient's sign the score of every image rises, and against it the score
# falls (the last table).
