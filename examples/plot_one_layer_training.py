"""
Training one layer of a random network
======================================

Raghu et al. (2016, "On the expressive power of deep neural networks", Figure 6)
take a deep fully connected network at its random initialisation, train
**exactly one** of its layers and freeze all the others; trained early layers
give higher accuracy than trained late ones, because what a layer can express
is multiplied by the depth that remains after it.

This example repeats the experiment on scikit-learn's digits with
:class:`~sklearn_sparsecode.cnn.CNNClassifier` (numpy gradients, no
deep-learning framework): 6 hidden layers of 64 hard-tanh units, weights drawn
from N(0, 1/fan_in), zero biases, Adam. It runs in seconds; the full run
(8 hidden layers of 100 units, digits and Fashion-MNIST, 3 seeds) is
``benchmarks/bench_one_layer_training.py`` and its table is in the README.
"""

# %%
# The network and its random initialisation
# -----------------------------------------
import os

import matplotlib.pyplot as plt
import numpy as np

from sklearn_sparsecode import CNNClassifier
from sklearn_sparsecode.datasets import load_train_test

QUICK = os.environ.get("SKLEARN_SPARSECODE_QUICK") == "1"
depth, width = (3, 32) if QUICK else (6, 64)
seeds = [0, 1] if QUICK else [0, 1, 2]
epochs = 20 if QUICK else 100

X, y, X_test, y_test = load_train_test("digits")
architecture = [{"type": "flatten"}]
for k in range(depth):
    architecture += [{"type": "dense", "name": f"W{k}", "out_features": width},
                     {"type": "activation", "function": "hardtanh"}]
# CNNClassifier appends the output layer, named "output".
layers = [f"W{k}" for k in range(depth)] + ["output"]


def random_network(seed):
    """Weights N(0, 1/fan_in) and zero biases, in the state_dict naming."""
    rng = np.random.default_rng(seed)
    sizes = [X[0].size] + [width] * depth + [10]
    state = {}
    for name, fan_in, fan_out in zip(layers, sizes[:-1], sizes[1:]):
        state[f"{name}.weight"] = rng.normal(0, np.sqrt(1 / fan_in), (fan_out, fan_in))
        state[f"{name}.bias"] = np.zeros(fan_out)
    return state


# %%
# Train each layer alone
# ----------------------
# ``trainable=[name]`` updates that layer only; the backward pass stops there.
scores = {"train": np.zeros((len(layers), len(seeds))),
          "test": np.zeros((len(layers), len(seeds)))}
for j, seed in enumerate(seeds):
    state = random_network(seed)
    for i, layer in enumerate(layers):
        clf = CNNClassifier(architecture=architecture, weights=state, trainable=[layer],
                            learning_rate=1e-3, max_iter=epochs, random_state=seed)
        clf.fit(X, y)
        scores["train"][i, j] = clf.score(X, y)
        scores["test"][i, j] = clf.score(X_test, y_test)
for i, layer in enumerate(layers):
    print(f"{layer:>6}: train {scores['train'][i].mean():.3f}, "
          f"test {scores['test'][i].mean():.3f}")

# %%
# The earlier the trained layer, the better
# -----------------------------------------
fig, ax = plt.subplots(figsize=(6, 3.8))
for key, colour in (("train", "C0"), ("test", "C1")):
    values = scores[key]
    ax.plot(layers, values.mean(axis=1), "o-", color=colour, label=key)
    ax.fill_between(range(len(layers)), values.min(axis=1), values.max(axis=1),
                    color=colour, alpha=0.25)
ax.set_xlabel("the one layer trained (all others frozen at random init)")
ax.set_ylabel("accuracy on digits")
ax.set_title(f"{depth} hidden layers of {width} hard-tanh units, {len(seeds)} seeds")
ax.legend()
fig.tight_layout()
plt.show()
