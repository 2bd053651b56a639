"""Train the LeNet-5 shipped as weights="lenet5-fashion-mnist" (needs PyTorch).

    python benchmarks/train_lenet5.py [--epochs 12] [--out sklearn_sparsecode/cnn/data/lenet5_fashion_mnist.npz]

The architecture is exactly CNNFeatureExtractor's "lenet5" (tanh, average
pooling, 28x28 padded to 32x32) plus a 10-way output layer ``fc2``. Adam
(lr 1e-3, batch 128), images scaled to [0, 1], no augmentation, seed 0, on the
60,000 training images of Fashion-MNIST; the test accuracy on the 10,000 test
images is printed and stored in the .npz (``meta.test_accuracy``). The weights
are saved in PyTorch state_dict naming, float32; ``fc2`` is the classifier
head, ignored by the feature extractor.
"""

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from sklearn_sparsecode.datasets import load_fashion_mnist


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.conv3 = nn.Conv2d(16, 120, 5)
        self.fc1 = nn.Linear(120, 84)
        self.fc2 = nn.Linear(84, 10)

    def forward(self, x):
        x = nn.functional.avg_pool2d(torch.tanh(self.conv1(x)), 2)
        x = nn.functional.avg_pool2d(torch.tanh(self.conv2(x)), 2)
        x = torch.tanh(self.conv3(x)).flatten(1)
        return self.fc2(torch.tanh(self.fc1(x)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] /
                                             "sklearn_sparsecode" / "cnn" / "data" /
                                             "lenet5_fashion_mnist.npz"))
    args = parser.parse_args()
    torch.manual_seed(0)
    X, y = load_fashion_mnist(subset="train", return_X_y=True)
    X_test, y_test = load_fashion_mnist(subset="test", return_X_y=True)
    X = torch.from_numpy(X.astype(np.float32) / 255)[:, None]
    y = torch.from_numpy(y.astype(np.int64))
    X_test = torch.from_numpy(X_test.astype(np.float32) / 255)[:, None]
    model = LeNet5()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(args.epochs):
        tic = time.perf_counter()
        order = torch.randperm(len(X))
        model.train()
        for start in range(0, len(X), 128):
            batch = order[start:start + 128]
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(X[batch]), y[batch])
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            accuracy = (model(X_test).argmax(1).numpy() == y_test).mean()
        print(f"epoch {epoch + 1}: loss {loss.item():.3f}, test accuracy {accuracy:.4f} "
              f"({time.perf_counter() - tic:.0f} s)", flush=True)
    state = {k: v.numpy().astype(np.float32) for k, v in model.state_dict().items()}
    np.savez_compressed(args.out, **state, **{"meta.test_accuracy": np.float64(accuracy),
                                              "meta.epochs": np.int64(args.epochs)})
    print(f"wrote {args.out}: test accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()
