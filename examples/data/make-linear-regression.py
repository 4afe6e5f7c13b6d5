#!/usr/bin/env python3
"""Writes linear-regression.csv: clearly synthetic data for the linear-regression example.

y = 3·x1 − 2·x2 + 0.5·x3 + 4 + ε,  x_i ~ U(−1, 1),  ε ~ N(0, 0.1²),  1,000 rows, Python's random with seed 42.
A fitted linear layer should recover weights ≈ (3, −2, 0.5) on standardised inputs scaled by each column's
standard deviation (≈ 0.577 for U(−1, 1)), and the test MSE should approach the noise variance, 0.01.
Run: python3 examples/data/make-linear-regression.py > examples/data/linear-regression.csv
"""
import random

random.seed(42)
print("x1,x2,x3,y")
for _ in range(1000):
    x1, x2, x3 = (random.uniform(-1, 1) for _ in range(3))
    y = 3 * x1 - 2 * x2 + 0.5 * x3 + 4 + random.gauss(0, 0.1)
    print(f"{x1:.6f},{x2:.6f},{x3:.6f},{y:.6f}")
