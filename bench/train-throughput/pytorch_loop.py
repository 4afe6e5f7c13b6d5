"""The bare training loop of bench/train-throughput in PyTorch: same model, data, batch order source, optimizer and threads.

Reads the embedded Fashion-MNIST subset's IDX .gz files, keeps the first TRAIN samples (ScaleLab carves validation
from the end), scales pixels by 1/255, and trains the seed MLP (784-1000-500-250, ReLU, + ReLU + 10-class head)
with Adam(lr 1e-3). Prints one JSON line: steady-state wall and CPU seconds per step for each epoch. Shuffling uses torch.randperm
(PyTorch's own generator): the order differs from ScaleLab's, the work per step does not.
"""
import gzip, json, sys, time
import numpy as np
import torch

data_dir, train_count, batch, epochs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(threads)
torch.manual_seed(0)

def idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)

x = torch.from_numpy(idx(f"{data_dir}/train-images-idx3-ubyte.gz", 16).copy()).reshape(-1, 1, 28, 28)[:train_count].float() / 255
y = torch.from_numpy(idx(f"{data_dir}/train-labels-idx1-ubyte.gz", 8).copy()).long()[:train_count]

model = torch.nn.Sequential(
    torch.nn.Flatten(), torch.nn.Linear(784, 1000), torch.nn.ReLU(), torch.nn.Linear(1000, 500), torch.nn.ReLU(),
    torch.nn.Linear(500, 250), torch.nn.ReLU(), torch.nn.Linear(250, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = torch.nn.CrossEntropyLoss()

# Steady-state time per step, as the C# side measures it: from the end of step 1 to the end of the last step.
wall_steps, cpu_steps = [], []
steps = (train_count + batch - 1) // batch
for epoch in range(epochs):
    order = torch.randperm(train_count)
    for step in range(1, steps + 1):
        index = order[(step - 1) * batch:step * batch]
        xb, yb = x.index_select(0, index), y.index_select(0, index)
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        if step == 1:
            wall0, cpu0 = time.perf_counter(), time.process_time()
    wall_steps.append((time.perf_counter() - wall0) / (steps - 1))
    cpu_steps.append((time.process_time() - cpu0) / (steps - 1))

print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "steps_per_epoch": steps,
                  "wall_step_seconds": wall_steps, "cpu_step_seconds": cpu_steps}))
