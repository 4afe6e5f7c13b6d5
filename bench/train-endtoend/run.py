#!/usr/bin/env python3
"""End-to-end training, ScaleLab against the same job in PyTorch (pytorch_train.py), side by side (issue 14).

Runs `scalelab train examples/train/mlp-fashion-mnist.json --epochs E` at the default threads and at --threads 1, and
pytorch_train.py at 1 and 2 threads (its OpenBLAS held with OPENBLAS_NUM_THREADS as well), REPEATS times interleaved;
prints each run's wall time and peak RSS (getrusage of the child: the kernel's high-water mark of resident memory),
then the medians and the ratios against PyTorch's better thread count. Needs the full Fashion-MNIST
(Debian's dataset-fashion-mnist, /usr/share/datasets/fashion-mnist) and, for the PyTorch rows, /usr/bin/python3 with
torch (Debian python3-torch); without it the ScaleLab rows alone are printed.

Usage: bench/train-endtoend/run.py [repeats=3] [epochs=2]
"""
import os, resource, shutil, statistics, subprocess, sys, tempfile, time

root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
data = "/usr/share/datasets/fashion-mnist"
if not os.path.isdir(data):
    sys.exit(f"{data}: not found; install Debian's dataset-fashion-mnist (the full set) first")

subprocess.run(["dotnet", "build", "src/ScaleLab.Cli", "-c", "Release", "-v", "quiet", "-nologo"], cwd=root, check=True, stdout=subprocess.DEVNULL)
scalelab = ["dotnet", os.path.join(root, "src/ScaleLab.Cli/bin/Release/net10.0/scalelab.dll")]
has_torch = subprocess.run(["/usr/bin/python3", "-c", "import torch"], capture_output=True).returncode == 0
scratch = tempfile.mkdtemp(prefix="train-endtoend-")


def measure(command, env=None):
    """Wall seconds and peak RSS (MiB) of one child; ru_maxrss of RUSAGE_CHILDREN is the largest child so far, so each
    run goes through its own short-lived Python process."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); "
             "w = time.perf_counter() - t; m = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024; "
             "print(r.returncode, w, m); sys.stderr.write(r.stderr.decode()[-400:] if r.returncode else '')")
    out = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=root)
    code, wall, rss = out.stdout.split()
    if code != "0":
        sys.exit(f"{' '.join(command)}: exit {code}: {out.stderr}")
    return float(wall), float(rss)


jobs = {
    "scalelab, default threads": lambda i: (scalelab + ["train", "examples/train/mlp-fashion-mnist.json", "--epochs", str(epochs), "--out", f"{scratch}/d{i}"], None),
    "scalelab, --threads 1": lambda i: (scalelab + ["train", "examples/train/mlp-fashion-mnist.json", "--epochs", str(epochs), "--threads", "1", "--out", f"{scratch}/t{i}"], None),
}
if has_torch:
    for t in (1, 2):
        jobs[f"pytorch, {t} thread{'s' if t > 1 else ''}"] = (lambda t: lambda i: (
            ["/usr/bin/python3", os.path.join(root, "bench/train-endtoend/pytorch_train.py"), data, str(epochs), str(t), f"{scratch}/p{t}-{i}"],
            {"OPENBLAS_NUM_THREADS": str(t), "OMP_NUM_THREADS": str(t)}))(t)

print(f"{epochs} epochs of the seed MLP on the full Fashion-MNIST, {repeats} interleaved repeats; load average before: {open('/proc/loadavg').read().split()[:3]}")
results = {name: [] for name in jobs}
for i in range(repeats):
    for name, job in jobs.items():
        command, env = job(i)
        results[name].append(measure(command, env))
        wall, rss = results[name][-1]
        print(f"  {name:28} run {i + 1}: {wall:6.1f} s  {rss:6.0f} MiB", flush=True)
print(f"load average after: {open('/proc/loadavg').read().split()[:3]}")
shutil.rmtree(scratch, ignore_errors=True)

median = {name: (statistics.median(w for w, _ in rs), statistics.median(m for _, m in rs)) for name, rs in results.items()}
print(f"\n{'job':28} {'wall (s)':>9} {'peak RSS (MiB)':>15}")
for name, (wall, rss) in median.items():
    print(f"{name:28} {wall:9.1f} {rss:15.0f}")
if has_torch:
    best = min((n for n in median if n.startswith("pytorch")), key=lambda n: median[n][0])
    for name in (n for n in median if n.startswith("scalelab")):
        print(f"{name} / {best}: wall {median[name][0] / median[best][0]:.2f}x (target <= 1.1), peak RSS {median[name][1] / median[best][1]:.2f}x (target <= 1.25)")
