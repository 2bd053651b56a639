"""Training the numpy CNN: softmax cross-entropy, SGD with momentum and Adam, epochs.

The loop is minibatch gradient descent on the mean softmax cross-entropy of a
batch, with the update rules of ``torch.optim.SGD`` (momentum, no dampening,
no Nesterov) and ``torch.optim.Adam`` (no weight decay), written from their
documented formulas, so that the same network, batches and hyper-parameters
give the same weights as PyTorch up to rounding. Only the layers named
``trainable`` are updated; the backward pass stops at the lowest of them.
"""

import numpy as np

from ._backward import backward, forward_cached


def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy of softmax(logits) against integer labels, and its gradient.

    Parameters
    ----------
    logits : ndarray (n, K)
    labels : int ndarray (n,), values in 0 … K−1

    Returns
    -------
    loss : float
    grad : ndarray (n, K), d loss / d logits = (softmax − one-hot) / n
    """
    n = len(labels)
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = float(np.log(total[:, 0]).sum() - shifted[rows, labels].sum()) / n
    grad = exp / total
    grad[rows, labels] -= 1
    grad /= n
    return loss, grad


def log_softmax(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


class SGD:
    """p ← p − lr · b with b ← μ b + g (b = g at the first step), as ``torch.optim.SGD``."""

    def __init__(self, learning_rate, momentum=0.0):
        self.learning_rate, self.momentum, self.buffers = learning_rate, momentum, {}

    def step(self, params, grads):
        for key, grad in grads.items():
            if self.momentum:
                buffer = self.buffers.get(key)
                if buffer is None:
                    buffer = self.buffers[key] = grad.copy()
                else:
                    buffer *= self.momentum
                    buffer += grad
                grad = buffer
            params[key] -= self.learning_rate * grad


class Adam:
    """Adam (Kingma & Ba 2015) in ``torch.optim.Adam``'s arithmetic order.

    m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², then
    p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
    """

    def __init__(self, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-8):
        self.learning_rate, self.beta1, self.beta2, self.epsilon = (
            learning_rate, beta1, beta2, epsilon)
        self.steps, self.moments = 0, {}

    def step(self, params, grads):
        self.steps += 1
        correction1 = 1 - self.beta1 ** self.steps
        root_correction2 = np.sqrt(1 - self.beta2 ** self.steps)
        for key, grad in grads.items():
            if key not in self.moments:
                self.moments[key] = (np.zeros_like(grad), np.zeros_like(grad))
            first, second = self.moments[key]
            first *= self.beta1
            first += (1 - self.beta1) * grad
            second *= self.beta2
            second += (1 - self.beta2) * (grad * grad)
            denominator = np.sqrt(second)
            denominator /= root_correction2
            denominator += self.epsilon
            params[key] -= (self.learning_rate / correction1) * (first / denominator)


def make_optimizer(solver, learning_rate, momentum):
    if solver == "adam":
        return Adam(learning_rate)
    return SGD(learning_rate, momentum)


def train_epoch(images, labels, layers, params, trainable, optimizer, batch_size, order):
    """One pass over ``images`` in the order ``order``; returns the mean loss.

    ``params`` maps "name.weight" / "name.bias" to arrays updated in place by
    ``optimizer``; ``trainable`` names the conv/dense layers to update.
    """
    weights = {layer["name"]: (params[f"{layer['name']}.weight"], params[f"{layer['name']}.bias"])
               for layer in layers if layer["type"] in ("conv", "dense")}
    total = 0.0
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        logits, caches = forward_cached(images[batch], layers, weights, weights=trainable)
        loss, grad = softmax_cross_entropy(logits, labels[batch])
        total += loss * len(batch)
        grads, _ = backward(grad, layers, weights, caches, weights=trainable)
        flat = {}
        for name, (d_weight, d_bias) in grads.items():
            flat[f"{name}.weight"], flat[f"{name}.bias"] = d_weight, d_bias
        optimizer.step(params, flat)
    return total / len(order)
