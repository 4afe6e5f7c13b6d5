"""What `scalelab train examples/train/mlp-fashion-mnist.json --epochs N` does, written as a plain PyTorch script.

Same job, end to end: read the full Fashion-MNIST IDX .gz files, pixels / 255 as float32, the first 90 % of the
training split for training and the last 10 % for validation, the seed MLP (784-1000-500-250, ReLU, 10-class head),
Adam(lr 1e-3) with a per-step cosine schedule, batch 64, a validation pass after each epoch, a checkpoint (weights and
optimizer state) after each epoch, and the test split evaluated at the end. Prints one JSON line.

Run it with its BLAS held to the same threads as libtorch (Debian's OpenBLAS ignores torch.set_num_threads):
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 pytorch_train.py /usr/share/datasets/fashion-mnist 2 1 OUT
"""
import gzip, json, math, os, sys, time
import numpy as np
import torch

data_dir, epochs, threads, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
torch.set_num_threads(threads)
torch.manual_seed(0)
start = time.perf_counter()

def idx(name, offset):
    with gzip.open(os.path.join(data_dir, name), "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)

def images(name):
    return torch.from_numpy(idx(name, 16).copy()).reshape(-1, 1, 28, 28).float().div_(255)

def labels(name):
    return torch.from_numpy(idx(name, 8).copy()).long()

x_full, y_full = images("train-images-idx3-ubyte.gz"), labels("train-labels-idx1-ubyte.gz")
x_test, y_test = images("t10k-images-idx3-ubyte.gz"), labels("t10k-labels-idx1-ubyte.gz")
n_val = len(x_full) // 10
x_train, y_train = x_full[:-n_val], y_full[:-n_val]
x_val, y_val = x_full[-n_val:], y_full[-n_val:]

model = torch.nn.Sequential(
    torch.nn.Flatten(), torch.nn.Linear(784, 1000), torch.nn.ReLU(), torch.nn.Linear(1000, 500), torch.nn.ReLU(),
    torch.nn.Linear(500, 250), torch.nn.ReLU(), torch.nn.Linear(250, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
steps = math.ceil(len(x_train) / 64)
schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps * epochs)
loss_fn = torch.nn.CrossEntropyLoss()

def evaluate(x, y):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), 256):
            logits = model(x[i:i + 256])
            loss += loss_fn(logits, y[i:i + 256]).item() * len(logits)
            correct += (logits.argmax(1) == y[i:i + 256]).sum().item()
    model.train()
    return loss / len(x), correct / len(x)

os.makedirs(out, exist_ok=True)
history = []
for epoch in range(1, epochs + 1):
    order = torch.randperm(len(x_train))
    total = 0.0
    for step in range(steps):
        index = order[step * 64:(step + 1) * 64]
        optimizer.zero_grad()
        loss = loss_fn(model(x_train.index_select(0, index)), y_train.index_select(0, index))
        loss.backward()
        optimizer.step()
        schedule.step()
        total += loss.item()
    val_loss, val_acc = evaluate(x_val, y_val)
    history.append({"epoch": epoch, "train_loss": total / steps, "val_loss": val_loss, "val_accuracy": val_acc})
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}, os.path.join(out, "last.pt"))

test_loss, test_acc = evaluate(x_test, y_test)
print(json.dumps({"torch": torch.__version__, "threads": threads, "epochs": history, "test_loss": test_loss,
                  "test_accuracy": test_acc, "wall_seconds": time.perf_counter() - start}))
